import type { RolloutStatus } from './rollout-status.js';

/**
 * Where a deploy goes, whatever the mechanism. The Kubernetes target (kubernetes-target.ts)
 * patches a Deployment directly; a GitOps target (commit the digest to a repository, watch Argo
 * CD) can implement the same four calls next to it, and the deploy procedure (rollout.ts)
 * works with either. Every value crossing this interface is plain data, so a step can store
 * what `apply` returned and pass it to `status` after a restart.
 */

/** One environment of a target; each target adds what it needs to find the workload. */
export interface DeployEnvironment {
  /** People's name for it: "staging", "production". */
  readonly name: string;
}

export interface TargetCallOptions {
  signal?: AbortSignal;
}

/** An image to run, and why: the why is recorded with the change (who approved, which task and PR). */
export interface ImageChange {
  /** Full reference: `registry/repo:tag`, `registry/repo@sha256:…` or both. */
  image: string;
  changeCause: string;
}

/** What runs in an environment now. */
export interface TargetDescription {
  image: string | null;
  /** The digest pinned in the reference (`@sha256:…`), if any. */
  digest: string | null;
  changeCause: string | null;
  /** The target's own revision label (Deployment revision, Git commit…). */
  revision: string | null;
  replicas: { desired: number; updated: number; available: number };
  paused: boolean;
  /** Earlier revisions still known to the target, newest first. */
  history: Array<{ revision: string; image: string | null; changeCause: string | null }>;
}

/** The handle `apply` returns and `status` takes: plain data, safe to store. */
export interface AppliedChange extends ImageChange {
  /** False when the target already had exactly this change (a resumed deploy): nothing was written. */
  patched: boolean;
}

/** One look at a rollout: kubectl's states, or "someone else changed the image meanwhile". */
export type TargetStatus = RolloutStatus | { state: 'superseded'; current: string | null; summary: string };

export interface DeployTarget<E extends DeployEnvironment = DeployEnvironment> {
  /** 'kubernetes', later 'gitops'. */
  readonly kind: string;
  describe(environment: E, options?: TargetCallOptions): Promise<TargetDescription>;
  /** Makes `change` the desired state, at most once: applying what is already applied writes nothing. */
  apply(environment: E, change: ImageChange, options?: TargetCallOptions): Promise<AppliedChange>;
  /** One observation of the rollout `applied` started; never waits. */
  status(environment: E, applied: AppliedChange, options?: TargetCallOptions): Promise<TargetStatus>;
  /** Returns the environment to an earlier image (same idempotency as `apply`). */
  rollback(environment: E, change: ImageChange, options?: TargetCallOptions): Promise<AppliedChange>;
}
