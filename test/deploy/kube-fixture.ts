import {
  createKubernetesTarget,
  type KubernetesEnvironment,
} from '../../src/agents/deploy/kubernetes-target.js';
import type { RolloutClock } from '../../src/agents/deploy/rollout.js';
import { createLogger } from '../../src/logger.js';
import { createKubernetesClient, type KubernetesClient } from '../../src/services/kubernetes.js';
import { type KubeStandIn, type KubeStandInOptions, startKubeStandIn } from '../support/kube-standin.js';

/** The production environment the deploy tests use: Deployment web/prod, container "web". */
export const PROD: KubernetesEnvironment = {
  name: 'production',
  namespace: 'prod',
  deployment: 'web',
  container: 'web',
};

export const IMAGE_V1 = 'registry.example.com/acme/web:1.0.0';
export const IMAGE_V2 = 'registry.example.com/acme/web:2.0.0';
export const IMAGE_BAD = 'registry.example.com/acme/web:2.0.0-broken';

/** The real client pointed at a fresh stand-in, with `web` (plus a sidecar) at IMAGE_V1, 4 replicas. */
export async function kubeFixture(options: KubeStandInOptions & { timeoutMs?: number } = {}) {
  const kube: KubeStandIn = await startKubeStandIn({
    isBadImage: (image) => image.endsWith('-broken'),
    ...options,
  });
  kube.seedDeployment({
    namespace: PROD.namespace,
    name: PROD.deployment,
    containers: [
      { name: 'web', image: IMAGE_V1 },
      { name: 'proxy', image: 'envoyproxy/envoy:v1.31' },
    ],
    replicas: 4,
    progressDeadlineSeconds: 60,
    changeCause: 'initial install',
  });
  const client: KubernetesClient = createKubernetesClient({
    access: { kind: 'token', server: kube.url, token: kube.token },
    logger: createLogger({ level: 'silent' }),
    timeoutMs: options.timeoutMs ?? 5000,
  });
  const target = createKubernetesTarget(client);
  /** The rollout's sleeps move the simulated cluster's clock: no real waiting. */
  const clock: RolloutClock = {
    now: () => kube.now(),
    sleep: async (ms) => kube.advance(ms),
  };
  return { kube, client, target, clock };
}

/** The image of a container of the stand-in's Deployment, as stored. */
export function storedImage(kube: KubeStandIn, container = 'web'): string | undefined {
  const deployment = kube.cluster.deployment(PROD.namespace, PROD.deployment) as {
    spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } };
  };
  return deployment.spec.template.spec.containers.find((c) => c.name === container)?.image;
}
