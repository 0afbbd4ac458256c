import { KubernetesApiError, type KubernetesClient } from '../../services/kubernetes.js';
import type { Deployment, JsonObject, ReplicaSet } from '../../services/kubernetes-objects.js';
import { DeployError, deployErrorFrom } from './errors.js';
import { parseImageReference } from './image-reference.js';
import { observationOf, rolloutStatus } from './rollout-status.js';
import type {
  AppliedChange,
  DeployEnvironment,
  DeployTarget,
  ImageChange,
  TargetCallOptions,
  TargetDescription,
  TargetStatus,
} from './target.js';

/**
 * The direct Kubernetes target: sets one container's image in one Deployment with a strategic
 * merge patch, recording the change cause, and judges the rollout by kubectl's rules.
 *
 * - The container must exist: a strategic merge patch naming an unknown container would ADD a
 *   container to the pod, so the Deployment is read and checked first.
 * - The patch carries the `resourceVersion` that was read, so it applies only to the Deployment
 *   that was checked; a 409 (someone wrote in between) means read, check and patch again.
 * - A paused Deployment is refused (as `kubectl rollout undo` refuses it): nothing would roll out.
 * - Idempotent: if the Deployment already has this image AND this change cause, nothing is
 *   written, so a deploy restarted after its PATCH resumes following instead of patching again.
 */

export interface KubernetesEnvironment extends DeployEnvironment {
  namespace: string;
  deployment: string;
  container: string;
}

export interface KubernetesTargetOptions {
  /** Extra read-check-patch rounds after a 409 Conflict. Default 4. */
  conflictRetries?: number;
}

export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export function createKubernetesTarget(
  client: KubernetesClient,
  options: KubernetesTargetOptions = {},
): DeployTarget<KubernetesEnvironment> {
  const conflictRetries = options.conflictRetries ?? 4;

  const read = async (env: KubernetesEnvironment, callOptions?: TargetCallOptions): Promise<Deployment> => {
    try {
      return await client.readDeployment({ namespace: env.namespace, name: env.deployment }, callOptions);
    } catch (err) {
      throw deployErrorFrom(err);
    }
  };

  const setImage = async (
    env: KubernetesEnvironment,
    change: ImageChange,
    callOptions?: TargetCallOptions,
  ): Promise<AppliedChange> => {
    if (!parseImageReference(change.image)) {
      throw new DeployError('invalid-image', `"${change.image}" is not a valid image reference`, 'permanent');
    }
    for (let attempt = 0; ; attempt++) {
      const deployment = await read(env, callOptions);
      const image = containerImage(deployment, env);
      if (deployment.spec.paused) throw paused(env);
      if (image === change.image && annotation(deployment, CHANGE_CAUSE_ANNOTATION) === change.changeCause) {
        return { ...change, patched: false };
      }
      const patch: JsonObject = {
        metadata: {
          ...(deployment.metadata.resourceVersion
            ? { resourceVersion: deployment.metadata.resourceVersion }
            : {}),
          annotations: { [CHANGE_CAUSE_ANNOTATION]: change.changeCause },
        },
        spec: { template: { spec: { containers: [{ name: env.container, image: change.image }] } } },
      };
      try {
        await client.patchDeployment(
          { namespace: env.namespace, name: env.deployment },
          patch,
          'strategic',
          callOptions,
        );
        return { ...change, patched: true };
      } catch (err) {
        if (err instanceof KubernetesApiError && err.status === 409 && attempt < conflictRetries) continue;
        const error = deployErrorFrom(err);
        if (error.code !== 'conflict') throw error;
        throw new DeployError(
          'conflict',
          `Deployment "${env.deployment}" in namespace "${env.namespace}" kept changing while the bot tried to patch it (409 Conflict, ${attempt + 1} attempts); another deploy or controller is writing to it — retry when it is quiet`,
          'transient',
          { cause: err },
        );
      }
    }
  };

  return {
    kind: 'kubernetes',

    async describe(env, callOptions) {
      const deployment = await read(env, callOptions);
      const image = containerImage(deployment, env);
      let replicaSets: ReplicaSet[];
      try {
        replicaSets = await client.listReplicaSets(env.namespace, selectorOf(deployment), callOptions);
      } catch (err) {
        throw deployErrorFrom(err);
      }
      const status = observationOf(deployment);
      const description: TargetDescription = {
        image,
        digest: parseImageReference(image)?.digest ?? null,
        changeCause: annotation(deployment, CHANGE_CAUSE_ANNOTATION),
        revision: annotation(deployment, REVISION_ANNOTATION),
        replicas: {
          desired: status.desiredReplicas ?? 0,
          updated: status.updatedReplicas,
          available: status.availableReplicas,
        },
        paused: status.paused,
        history: replicaSets
          .filter((rs) => ownedBy(rs, deployment))
          .map((rs) => ({
            revision: rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '',
            image: rs.spec.template?.spec.containers.find((c) => c.name === env.container)?.image ?? null,
            changeCause: rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? null,
          }))
          .filter((entry) => entry.revision !== '')
          .sort((a, b) => Number(b.revision) - Number(a.revision)),
      };
      return description;
    },

    apply: setImage,
    rollback: setImage,

    async status(env, applied, callOptions): Promise<TargetStatus> {
      const deployment = await read(env, callOptions);
      const current = containerImage(deployment, env);
      if (current !== applied.image) {
        return { state: 'superseded', current, summary: `the image was changed to ${current} meanwhile` };
      }
      return rolloutStatus(observationOf(deployment));
    },
  };
}

/** The container's image; a missing container is refused (patching it by name would add one). */
function containerImage(deployment: Deployment, env: KubernetesEnvironment): string {
  const containers = deployment.spec.template.spec.containers;
  const container = containers.find((c) => c.name === env.container);
  if (!container) {
    throw new DeployError(
      'container-missing',
      `Deployment "${env.deployment}" in namespace "${env.namespace}" has no container "${env.container}" (it has: ${containers.map((c) => c.name).join(', ') || 'none'}); patching it would add a container, so the bot will not`,
      'permanent',
      { hint: 'Fix the environment’s container name.' },
    );
  }
  if (!container.image) {
    throw new DeployError('unexpected-response', `Container "${env.container}" has no image`, 'permanent');
  }
  return container.image;
}

function paused(env: KubernetesEnvironment): DeployError {
  return new DeployError(
    'paused',
    `Deployment "${env.deployment}" in namespace "${env.namespace}" is paused, so nothing would roll out`,
    'permanent',
    {
      hint: `Resume it (kubectl rollout resume deployment/${env.deployment} -n ${env.namespace}), then deploy again.`,
    },
  );
}

function annotation(deployment: Deployment, key: string): string | null {
  return deployment.metadata.annotations?.[key] ?? null;
}

/** `matchLabels` as a label selector (`app=web,tier=front`). */
function selectorOf(deployment: Deployment): string {
  const labels = deployment.spec.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** Other Deployments' ReplicaSets can share labels; the owner reference tells them apart. */
function ownedBy(rs: ReplicaSet, deployment: Deployment): boolean {
  const uid = deployment.metadata.uid;
  const owners = rs.metadata.ownerReferences ?? [];
  return uid ? owners.some((o) => o.kind === 'Deployment' && o.uid === uid) : true;
}
