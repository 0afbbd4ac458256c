import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../src/services/kubernetes-objects.js';
import {
  annotationsOf,
  CHANGE_CAUSE_ANNOTATION,
  type DeploymentSpec,
  deploymentJson,
  fenceposts,
  nameOf,
  type Pod,
  REVISION_ANNOTATION,
  replicaSetJson,
  type SimDeployment,
  type SimReplicaSet,
  specOf,
  templateHash,
  templateImages,
  templateOf,
} from './kube-standin-model.js';
import { clone, stableStringify } from './kube-standin-patch.js';

/**
 * The simulated Deployment controller: one pass over one Deployment at the host's current time
 * (see kube-standin-cluster.ts for what it reproduces of the real controller).
 */

export interface ControllerHost {
  readonly now: number;
  readonly podStartMs: number;
  isBadImage(image: string): boolean;
  /** The next resourceVersion of the cluster (one counter for every object, as etcd's). */
  nextVersion(): string;
}

export function reconcile(host: ControllerHost, sim: SimDeployment): void {
  const before = stableStringify(deploymentJson(sim));
  const spec = specOf(sim.object);
  const metadata = sim.object.metadata as JsonObject;
  sim.observedGeneration = Number(metadata.generation ?? 1);
  const desired = spec.replicas ?? 1;
  let progressed = false;
  let newReason = 'ReplicaSetUpdated';
  // Paused: the ReplicaSet of the current template counts as updated, but none is created.
  let newRS = sim.replicaSets.find((rs) => rs.hash === templateHash(templateOf(sim.object)));
  if (!spec.paused) {
    const maxRevision = Math.max(0, ...sim.replicaSets.map((rs) => rs.revision));
    if (!newRS) {
      newRS = newReplicaSet(host, sim);
      progressed = true;
      newReason = 'NewReplicaSetCreated';
    } else if (newRS.revision < maxRevision) {
      newRS.revision = maxRevision + 1;
      progressed = true;
      newReason = 'FoundNewReplicaSet';
    }
    const cause = annotationsOf(sim.object)[CHANGE_CAUSE_ANNOTATION];
    if (cause !== undefined) newRS.annotations[CHANGE_CAUSE_ANNOTATION] = cause;
    annotationsOf(sim.object)[REVISION_ANNOTATION] = String(newRS.revision);
    progressed = rollingStep(host, sim, newRS, spec, desired) || progressed;
  }
  const pods = sim.replicaSets.flatMap((rs) => rs.pods);
  const available = pods.filter((pod) => pod.availableAt <= host.now).length;
  const previousAvailable = Number(sim.status.availableReplicas ?? 0);
  if (available > previousAvailable) progressed = true;
  const updated = newRS?.pods.length ?? 0;
  const { unavailable } = fenceposts(spec, desired);
  setCondition(
    host,
    sim,
    'Available',
    available >= desired - unavailable ? 'True' : 'False',
    available >= desired - unavailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
    available >= desired - unavailable
      ? 'Deployment has minimum availability.'
      : 'Deployment does not have minimum availability.',
  );
  const complete = updated === desired && pods.length === updated && available === updated;
  const rsName = newRS?.name ?? '';
  if (spec.paused) {
    sim.lastProgressAt = host.now;
    setCondition(host, sim, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused');
  } else if (complete) {
    setCondition(
      host,
      sim,
      'Progressing',
      'True',
      'NewReplicaSetAvailable',
      `ReplicaSet "${rsName}" has successfully progressed.`,
    );
  } else if (progressed) {
    sim.lastProgressAt = host.now;
    setCondition(host, sim, 'Progressing', 'True', newReason, `ReplicaSet "${rsName}" is progressing.`, true);
  } else if (host.now - sim.lastProgressAt > (spec.progressDeadlineSeconds ?? 600) * 1000) {
    setCondition(
      host,
      sim,
      'Progressing',
      'False',
      'ProgressDeadlineExceeded',
      `ReplicaSet "${rsName}" has timed out progressing.`,
    );
  }
  sim.status = {
    observedGeneration: sim.observedGeneration,
    replicas: pods.length,
    updatedReplicas: updated,
    readyReplicas: available,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, desired - available),
    conditions: [sim.conditions.Available, sim.conditions.Progressing].filter(
      (c): c is JsonObject => c !== undefined,
    ),
  };
  for (const key of [
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
  ]) {
    // The API server omits zero counts; readers must default them.
    if (sim.status[key] === 0) delete sim.status[key];
  }
  if (stableStringify(deploymentJson(sim)) !== before) {
    (sim.object.metadata as JsonObject).resourceVersion = host.nextVersion();
  }
  for (const rs of sim.replicaSets) {
    const json = stableStringify(replicaSetJson(sim, rs, host.now));
    if (json !== rs.lastJson) {
      rs.resourceVersion = host.nextVersion();
      rs.lastJson = stableStringify(replicaSetJson(sim, rs, host.now));
    }
  }
}

/** One rolling-update step: scale the new ReplicaSet up within maxSurge, old ones down within maxUnavailable. */
function rollingStep(
  host: ControllerHost,
  sim: SimDeployment,
  newRS: SimReplicaSet,
  spec: DeploymentSpec,
  desired: number,
): boolean {
  const { surge, unavailable } = fenceposts(spec, desired);
  const old = sim.replicaSets.filter((rs) => rs !== newRS).sort((a, b) => a.revision - b.revision);
  const isAvailable = (pod: Pod) => pod.availableAt <= host.now;
  const total = () => sim.replicaSets.reduce((sum, rs) => sum + rs.pods.length, 0);
  let changed = false;

  if (newRS.pods.length < desired) {
    const add = Math.min(desired + surge - total(), desired - newRS.pods.length);
    const bad = templateImages(newRS.template).some((image) => host.isBadImage(image));
    for (let i = 0; i < add; i++) {
      newRS.pods.push({ availableAt: bad ? Number.POSITIVE_INFINITY : host.now + host.podStartMs });
      changed = true;
    }
  } else if (newRS.pods.length > desired) {
    newRS.pods.splice(desired);
    changed = true;
  }

  const minAvailable = desired - unavailable;
  // Unhealthy old pods go first: they hold no availability.
  let scaleDown = total() - minAvailable - newRS.pods.filter((pod) => !isAvailable(pod)).length;
  for (const rs of old) {
    for (let i = rs.pods.length - 1; i >= 0 && scaleDown > 0; i--) {
      if (!isAvailable(rs.pods[i] as Pod)) {
        rs.pods.splice(i, 1);
        scaleDown--;
        changed = true;
      }
    }
  }
  let removable = sim.replicaSets.flatMap((rs) => rs.pods).filter(isAvailable).length - minAvailable;
  for (const rs of old) {
    while (removable > 0 && rs.pods.length > 0) {
      rs.pods.pop();
      removable--;
      changed = true;
    }
  }
  return changed;
}

export function newReplicaSet(host: ControllerHost, sim: SimDeployment): SimReplicaSet {
  const template = clone(templateOf(sim.object));
  const hash = templateHash(template);
  const rs: SimReplicaSet = {
    name: `${nameOf(sim.object)}-${hash}`,
    uid: randomUUID(),
    hash,
    template,
    revision: Math.max(0, ...sim.replicaSets.map((r) => r.revision)) + 1,
    pods: [],
    annotations: {},
    resourceVersion: host.nextVersion(),
    createdAt: iso(host.now),
    lastJson: '',
  };
  sim.replicaSets.push(rs);
  return rs;
}

function setCondition(
  host: ControllerHost,
  sim: SimDeployment,
  type: 'Available' | 'Progressing',
  status: string,
  reason: string,
  message: string,
  touch = false,
): void {
  const current = sim.conditions[type];
  const same = current?.status === status && current?.reason === reason && current?.message === message;
  if (same && !touch) return;
  sim.conditions[type] = {
    type,
    status,
    reason,
    message,
    lastUpdateTime: iso(host.now),
    lastTransitionTime:
      current?.status === status ? (current.lastTransitionTime ?? iso(host.now)) : iso(host.now),
  };
}

function iso(now: number): string {
  return new Date(now).toISOString();
}
