import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployError } from '../../src/agents/deploy/errors.js';
import {
  createKubernetesTarget,
  type KubernetesEnvironment,
} from '../../src/agents/deploy/kubernetes-target.js';
import type { DeployTarget } from '../../src/agents/deploy/target.js';
import { createLogger } from '../../src/logger.js';
import { createKubernetesClient } from '../../src/services/kubernetes.js';
import type { KubeStandIn } from '../support/kube-standin.js';
import { IMAGE_V1, IMAGE_V2, kubeFixture, PROD, storedImage } from './kube-fixture.js';

const change = { image: IMAGE_V2, changeCause: 'ai-orchestrator deploy, task T-1, PR #12, approved by lena' };

async function deployError(promise: Promise<unknown>): Promise<DeployError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DeployError) return err;
    throw err;
  }
  throw new Error('expected a DeployError');
}

describe('Kubernetes deploy target', () => {
  let kube: KubeStandIn;
  let target: DeployTarget<KubernetesEnvironment>;
  beforeEach(async () => {
    ({ kube, target } = await kubeFixture({ timeoutMs: 1000 }));
  });
  afterEach(async () => {
    await kube.close();
  });

  describe('describe', () => {
    it('tells the running image, revision, replicas and the earlier revisions', async () => {
      await target.apply(PROD, change);
      kube.advance(10_000);
      const description = await target.describe(PROD);
      expect(description).toEqual({
        image: IMAGE_V2,
        digest: null,
        changeCause: change.changeCause,
        revision: '2',
        replicas: { desired: 4, updated: 4, available: 4 },
        paused: false,
        history: [
          { revision: '2', image: IMAGE_V2, changeCause: change.changeCause },
          { revision: '1', image: IMAGE_V1, changeCause: 'initial install' },
        ],
      });
    });

    it('reads the digest of a pinned reference', async () => {
      const pinned = `registry.example.com/acme/web@sha256:${'a'.repeat(64)}`;
      await target.apply(PROD, { ...change, image: pinned });
      expect((await target.describe(PROD)).digest).toBe(`sha256:${'a'.repeat(64)}`);
    });
  });

  describe('apply', () => {
    it('patches only the named container, with the change cause, as a strategic merge conditional on what it read', async () => {
      const applied = await target.apply(PROD, change);
      expect(applied).toEqual({ ...change, patched: true });
      const [get, patch] = kube.requests;
      expect(get?.verb).toBe('get');
      expect(patch).toMatchObject({
        verb: 'patch',
        contentType: 'application/strategic-merge-patch+json',
        status: 200,
      });
      expect(patch?.body).toEqual({
        metadata: {
          resourceVersion: expect.any(String),
          annotations: { 'kubernetes.io/change-cause': change.changeCause },
        },
        spec: { template: { spec: { containers: [{ name: 'web', image: IMAGE_V2 }] } } },
      });
      expect(storedImage(kube)).toBe(IMAGE_V2);
      expect(storedImage(kube, 'proxy')).toBe('envoyproxy/envoy:v1.31');
    });

    it('does not patch again when the Deployment already has this image and change cause', async () => {
      await target.apply(PROD, change);
      kube.advance(2000);
      expect(await target.apply(PROD, change)).toEqual({ ...change, patched: false });
      expect(kube.patches()).toHaveLength(1);
    });

    it('patches the same image again when the change cause differs (another deploy)', async () => {
      await target.apply(PROD, change);
      const again = await target.apply(PROD, { ...change, changeCause: 'task T-2' });
      expect(again.patched).toBe(true);
      expect(kube.patches()).toHaveLength(2);
    });

    it('refuses a container name the Deployment does not have, without patching', async () => {
      const err = await deployError(target.apply({ ...PROD, container: 'app' }, change));
      expect(err).toMatchObject({ code: 'container-missing', kind: 'permanent' });
      expect(err.message).toBe(
        'Deployment "web" in namespace "prod" has no container "app" (it has: web, proxy); patching it would add a container, so the bot will not',
      );
      expect(kube.patches()).toHaveLength(0);
    });

    it('refuses a paused Deployment, without patching', async () => {
      kube.cluster.setPaused('prod', 'web', true);
      const err = await deployError(target.apply(PROD, change));
      expect(err).toMatchObject({ code: 'paused', kind: 'permanent' });
      expect(err.message).toBe('Deployment "web" in namespace "prod" is paused, so nothing would roll out');
      expect(err.hint).toContain('kubectl rollout resume deployment/web -n prod');
      expect(kube.patches()).toHaveLength(0);
    });

    it('refuses an image reference that does not parse, before any request', async () => {
      const err = await deployError(target.apply(PROD, { ...change, image: 'acme/web:2 --privileged' }));
      expect(err).toMatchObject({ code: 'invalid-image', kind: 'permanent' });
      expect(kube.requests).toHaveLength(0);
    });

    it('reads, checks and patches again after a 409 Conflict', async () => {
      let touched = false;
      kube.onServed = (request) => {
        if (request.verb === 'get' && !touched) {
          touched = true;
          kube.cluster.touch('prod', 'web');
        }
      };
      expect((await target.apply(PROD, change)).patched).toBe(true);
      expect(kube.patches().map((r) => r.status)).toEqual([409, 200]);
      expect(kube.requests.filter((r) => r.verb === 'get')).toHaveLength(2);
    });

    it('explains a Deployment that keeps changing (transient: worth retrying later)', async () => {
      kube.onServed = (request) => {
        if (request.verb === 'get') kube.cluster.touch('prod', 'web');
      };
      const err = await deployError(target.apply(PROD, change));
      expect(err).toMatchObject({ code: 'conflict', kind: 'transient' });
      expect(err.message).toContain(
        'kept changing while the bot tried to patch it (409 Conflict, 5 attempts)',
      );
      expect(kube.patches().map((r) => r.status)).toEqual([409, 409, 409, 409, 409]);
      expect(storedImage(kube)).toBe(IMAGE_V1);
    });
  });

  describe('errors a person can act on', () => {
    it('names the verb and resource RBAC is missing: patch deployments', async () => {
      kube.rbac = [
        { verbs: ['get'], resources: ['deployments'] },
        { verbs: ['list'], resources: ['replicasets'] },
      ];
      const err = await deployError(target.apply(PROD, change));
      expect(err).toMatchObject({ code: 'forbidden', kind: 'permanent' });
      expect(err.message).toBe(
        'The service account may not patch deployments in namespace "prod" (403 Forbidden)',
      );
      expect(err.hint).toBe(
        'Grant "system:serviceaccount:orchestrator:deployer" the verb "patch" on "deployments" (API group "apps") in namespace "prod". See "Deploying to Kubernetes" in the README for the Role the bot needs.',
      );
    });

    it('names the verb and resource RBAC is missing: get deployments, list replicasets', async () => {
      kube.rbac = [{ verbs: ['get'], resources: ['deployments'], namespaces: ['prod'] }];
      expect((await deployError(target.describe(PROD))).message).toBe(
        'The service account may not list replicasets in namespace "prod" (403 Forbidden)',
      );
      expect((await deployError(target.describe({ ...PROD, namespace: 'staging' }))).message).toBe(
        'The service account may not get deployments in namespace "staging" (403 Forbidden)',
      );
    });

    it('says the credentials were rejected on 401', async () => {
      const stranger = createKubernetesTarget(
        createKubernetesClient({
          access: { kind: 'token', server: kube.url, token: 'expired' },
          logger: createLogger({ level: 'silent' }),
        }),
      );
      const err = await deployError(stranger.apply(PROD, change));
      expect(err).toMatchObject({ code: 'unauthorized', kind: 'permanent' });
      expect(err.message).toContain('401 Unauthorized');
    });

    it('says which Deployment was not found on 404', async () => {
      const err = await deployError(target.apply({ ...PROD, deployment: 'api' }, change));
      expect(err).toMatchObject({ code: 'not-found', kind: 'permanent' });
      expect(err.message).toBe(
        'Deployment "api" not found in namespace "prod" (or the namespace does not exist)',
      );
    });

    it('classifies 5xx, 429 and a hanging API server as transient', async () => {
      kube.failNext({ verb: 'get' }, 503);
      expect(await deployError(target.apply(PROD, change))).toMatchObject({
        code: 'server-error',
        kind: 'transient',
      });
      kube.failNext({ verb: 'patch' }, 429, { retryAfterSeconds: 3 });
      const limited = await deployError(target.apply(PROD, change));
      expect(limited).toMatchObject({ code: 'rate-limited', kind: 'transient' });
      expect(limited.options.retryAfterMs).toBe(3000);
      kube.hangNext({ verb: 'get' });
      expect(await deployError(target.apply(PROD, change))).toMatchObject({
        code: 'timeout',
        kind: 'transient',
      });
      expect(kube.patches().map((r) => r.status)).toEqual([429]);
    });
  });

  describe('status', () => {
    it('reports the rollout by kubectl rules, and "superseded" once someone else changed the image', async () => {
      const applied = await target.apply(PROD, change);
      expect((await target.status(PROD, applied)).state).toBe('waiting-for-controller');
      kube.advance(500);
      expect(await target.status(PROD, applied)).toEqual({
        state: 'updating',
        updated: 1,
        desired: 4,
        summary: '1 of 4 updated',
      });
      await target.apply(PROD, { image: 'registry.example.com/acme/web:3.0.0', changeCause: 'someone else' });
      expect(await target.status(PROD, applied)).toEqual({
        state: 'superseded',
        current: 'registry.example.com/acme/web:3.0.0',
        summary: 'the image was changed to registry.example.com/acme/web:3.0.0 meanwhile',
      });
    });
  });
});
