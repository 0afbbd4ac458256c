import type { Deployment } from '../../services/kubernetes-objects.js';

/**
 * One observation of a Deployment's rollout, judged by kubectl's own rules
 * (`kubectl rollout status`, pkg/polymorphichelpers/rollout_status.go), in kubectl's order:
 *
 * 1. the controller has not yet seen the latest spec (observedGeneration < generation) → waiting;
 * 2. the Progressing condition's reason is ProgressDeadlineExceeded → failed;
 * 3. fewer updated replicas than spec.replicas → "n of m updated";
 * 4. more replicas than updated ones → old replicas still terminating;
 * 5. fewer available than updated replicas → "n of m available";
 * 6. otherwise → complete.
 *
 * kubectl has no rule for a paused Deployment (it waits forever); here a paused Deployment that
 * is not complete gets its own state, because nothing will move until someone resumes it.
 * Pure: the same observation always gives the same answer.
 */

/** The fields of a Deployment the rules read; counts the API server omitted are 0. */
export interface RolloutObservation {
  name: string;
  generation: number;
  observedGeneration: number;
  /** spec.replicas; null when unset (kubectl then skips rule 3). */
  desiredReplicas: number | null;
  paused: boolean;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  /** Reason of the `Progressing` condition, if there is one. */
  progressingReason: string | null;
}

export type RolloutStatus =
  | { state: 'waiting-for-controller'; summary: string }
  | { state: 'progress-deadline-exceeded'; summary: string }
  | { state: 'updating'; updated: number; desired: number; summary: string }
  | { state: 'terminating-old'; pending: number; summary: string }
  | { state: 'becoming-available'; available: number; updated: number; summary: string }
  | { state: 'paused'; summary: string }
  | { state: 'complete'; summary: string };

export type RolloutState = RolloutStatus['state'];

/** The controller's reason when a rollout made no progress within progressDeadlineSeconds. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

export function rolloutStatus(o: RolloutObservation): RolloutStatus {
  const status = kubectlStatus(o);
  // Only a rollout in progress is stuck by a pause; until the controller has seen the spec
  // we cannot tell, and a complete or failed rollout stays what it is.
  const inProgress =
    status.state === 'updating' ||
    status.state === 'terminating-old' ||
    status.state === 'becoming-available';
  return o.paused && inProgress ? { state: 'paused', summary: `paused at ${status.summary}` } : status;
}

function kubectlStatus(o: RolloutObservation): RolloutStatus {
  if (o.observedGeneration < o.generation) {
    return { state: 'waiting-for-controller', summary: 'waiting for the controller to pick up the change' };
  }
  if (o.progressingReason === PROGRESS_DEADLINE_EXCEEDED) {
    return { state: 'progress-deadline-exceeded', summary: 'progress deadline exceeded' };
  }
  if (o.desiredReplicas !== null && o.updatedReplicas < o.desiredReplicas) {
    return {
      state: 'updating',
      updated: o.updatedReplicas,
      desired: o.desiredReplicas,
      summary: `${o.updatedReplicas} of ${o.desiredReplicas} updated`,
    };
  }
  if (o.replicas > o.updatedReplicas) {
    const pending = o.replicas - o.updatedReplicas;
    return {
      state: 'terminating-old',
      pending,
      summary: `${pending} old ${pending === 1 ? 'replica' : 'replicas'} terminating`,
    };
  }
  if (o.availableReplicas < o.updatedReplicas) {
    return {
      state: 'becoming-available',
      available: o.availableReplicas,
      updated: o.updatedReplicas,
      summary: `${o.availableReplicas} of ${o.updatedReplicas} available`,
    };
  }
  return { state: 'complete', summary: 'rolled out' };
}

/** Reads the rule inputs off a Deployment, with the API server's omitted zeros filled in. */
export function observationOf(deployment: Deployment): RolloutObservation {
  const status = deployment.status ?? {};
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  return {
    name: deployment.metadata.name,
    generation: deployment.metadata.generation ?? 0,
    observedGeneration: status.observedGeneration ?? 0,
    desiredReplicas: deployment.spec.replicas ?? null,
    paused: deployment.spec.paused ?? false,
    replicas: status.replicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    progressingReason: progressing?.reason ?? null,
  };
}
