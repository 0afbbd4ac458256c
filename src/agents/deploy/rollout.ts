import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger.js';
import { DeployError, deployErrorFrom } from './errors.js';
import type { AppliedChange, DeployEnvironment, DeployTarget, ImageChange, TargetStatus } from './target.js';

/**
 * The deploy procedure over any DeployTarget: apply the image, follow the rollout to its end,
 * and when it fails (the target's progress deadline, or our own timeout) roll back to the
 * previous image and follow that to its end too. `rollBack` is the same on request.
 *
 * Restart-safe: `apply` writes nothing when its change is already in place, and the journal
 * (kept by the caller, e.g. in the effects ledger) remembers that a rollback began or that the
 * deploy finished, so a restarted deploy neither patches twice nor re-applies a failed image
 * after its rollback. Time comes from an injected clock, so tests drive a simulated cluster
 * without waiting.
 */

export interface RolloutClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: RolloutClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleep(ms, undefined, { signal });
  },
};

export interface RolloutProgress {
  phase: 'deploy' | 'rollback';
  image: string;
  state: TargetStatus['state'] | 'api-unavailable';
  /** "3 of 4 updated": what a card shows. */
  summary: string;
}

export interface RolloutFailure {
  reason: 'progress-deadline-exceeded' | 'timeout';
  summary: string;
}

export type DeployOutcome =
  | { result: 'deployed'; image: string; patched: boolean }
  /** The new image failed; the previous one runs again. */
  | { result: 'rolled-back'; image: string; failedImage: string; failure: RolloutFailure }
  /** The new image failed and there was nothing to return to, or the rollback failed too. */
  | {
      result: 'failed';
      failedImage: string;
      failure: RolloutFailure;
      rollback: { image: string; failure: RolloutFailure } | null;
    }
  /** Someone else changed the image while we followed: neither success nor ours to roll back. */
  | { result: 'superseded'; image: string; current: string | null };

export type DeployCheckpoint =
  | { phase: 'rolling-back'; failedImage: string; failure: RolloutFailure }
  | { phase: 'finished'; outcome: DeployOutcome };

/** Where a deploy notes how far it got; the runner keeps it with the step (effects ledger). */
export interface DeployJournal {
  load(): Promise<DeployCheckpoint | null>;
  save(checkpoint: DeployCheckpoint): Promise<void>;
}

export function memoryJournal(): DeployJournal & { checkpoint: DeployCheckpoint | null } {
  return {
    checkpoint: null,
    async load() {
      return this.checkpoint;
    },
    async save(checkpoint) {
      this.checkpoint = structuredClone(checkpoint);
    },
  };
}

export interface FollowSettings {
  clock?: RolloutClock;
  /** Between two looks at the rollout. Default 2 s. */
  pollIntervalMs?: number;
  /** How long one rollout may take before the bot gives up on it (and rolls back). */
  timeoutMs: number;
  /** Called when what a card would show changes. A throw is logged, never fatal. */
  onProgress?: (progress: RolloutProgress) => void | Promise<void>;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface DeployOptions<E extends DeployEnvironment> extends FollowSettings {
  target: DeployTarget<E>;
  environment: E;
  change: ImageChange;
  /** The image to return to if `change` fails (the last one deployed successfully); null: none known. */
  rollbackTo: ImageChange | null;
  journal?: DeployJournal;
}

export async function deploy<E extends DeployEnvironment>(options: DeployOptions<E>): Promise<DeployOutcome> {
  const journal = options.journal ?? memoryJournal();
  const { target, environment, change, rollbackTo, signal } = options;
  const checkpoint = await journal.load();
  if (checkpoint?.phase === 'finished') return checkpoint.outcome;
  const finish = async (outcome: DeployOutcome): Promise<DeployOutcome> => {
    await journal.save({ phase: 'finished', outcome });
    return outcome;
  };

  let failure: RolloutFailure;
  if (checkpoint?.phase === 'rolling-back') {
    failure = checkpoint.failure;
  } else {
    const applied = await call(() => target.apply(environment, change, { signal }));
    const result = await follow(target, environment, applied, 'deploy', options);
    if (result.kind === 'complete')
      return finish({ result: 'deployed', image: change.image, patched: applied.patched });
    if (result.kind === 'superseded')
      return finish({ result: 'superseded', image: change.image, current: result.current });
    failure = result.failure;
    if (!rollbackTo || rollbackTo.image === change.image) {
      return finish({ result: 'failed', failedImage: change.image, failure, rollback: null });
    }
    await journal.save({ phase: 'rolling-back', failedImage: change.image, failure });
  }

  if (!rollbackTo)
    throw new DeployError(
      'unexpected-response',
      'A rollback was begun but no image to return to was given',
      'permanent',
    );
  const rolledBack = await call(() => target.rollback(environment, rollbackTo, { signal }));
  const result = await follow(target, environment, rolledBack, 'rollback', options);
  if (result.kind === 'complete') {
    return finish({ result: 'rolled-back', image: rollbackTo.image, failedImage: change.image, failure });
  }
  if (result.kind === 'superseded') {
    return finish({ result: 'superseded', image: rollbackTo.image, current: result.current });
  }
  return finish({
    result: 'failed',
    failedImage: change.image,
    failure,
    rollback: { image: rollbackTo.image, failure: result.failure },
  });
}

export interface RollBackOptions<E extends DeployEnvironment> extends FollowSettings {
  target: DeployTarget<E>;
  environment: E;
  /** The earlier image and why (who asked, who approved). */
  change: ImageChange;
}

export type RollBackOutcome =
  | { result: 'rolled-back'; image: string; patched: boolean }
  | { result: 'failed'; image: string; failure: RolloutFailure }
  | { result: 'superseded'; image: string; current: string | null };

/** A rollback on request (the Roll back button): apply the earlier image and follow it to the end. */
export async function rollBack<E extends DeployEnvironment>(
  options: RollBackOptions<E>,
): Promise<RollBackOutcome> {
  const { target, environment, change, signal } = options;
  const applied = await call(() => target.rollback(environment, change, { signal }));
  const result = await follow(target, environment, applied, 'rollback', options);
  if (result.kind === 'complete')
    return { result: 'rolled-back', image: change.image, patched: applied.patched };
  if (result.kind === 'superseded')
    return { result: 'superseded', image: change.image, current: result.current };
  return { result: 'failed', image: change.image, failure: result.failure };
}

type FollowResult =
  | { kind: 'complete' }
  | { kind: 'failed'; failure: RolloutFailure }
  | { kind: 'superseded'; current: string | null };

/**
 * Polls `status` until the rollout completes, fails, or the timeout passes. API hiccups
 * (transient errors) are reported and polled through until the timeout; then the last one is
 * thrown, because a rollout we cannot see is neither done nor failed. A pause stops the follow.
 */
async function follow<E extends DeployEnvironment>(
  target: DeployTarget<E>,
  environment: E,
  applied: AppliedChange,
  phase: RolloutProgress['phase'],
  settings: FollowSettings,
): Promise<FollowResult> {
  const clock = settings.clock ?? systemClock;
  const interval = settings.pollIntervalMs ?? 2000;
  const deadline = clock.now() + settings.timeoutMs;
  let lastShown = '';
  let lastSummary = 'not started';
  const report = async (state: RolloutProgress['state'], summary: string) => {
    const key = `${state}\u0000${summary}`;
    if (key === lastShown) return;
    lastShown = key;
    try {
      await settings.onProgress?.({ phase, image: applied.image, state, summary });
    } catch (err) {
      settings.logger?.warn({ err, phase, state }, 'rollout progress report failed');
    }
  };

  for (;;) {
    let status: TargetStatus | null = null;
    try {
      status = await target.status(environment, applied, { signal: settings.signal });
    } catch (err) {
      const error = deployErrorFrom(err);
      if (error.kind === 'permanent' || error.code === 'cancelled' || clock.now() >= deadline) throw error;
      await report('api-unavailable', 'Kubernetes API not answering; retrying');
    }
    if (status) {
      await report(status.state, status.summary);
      switch (status.state) {
        case 'complete':
          return { kind: 'complete' };
        case 'progress-deadline-exceeded':
          return {
            kind: 'failed',
            failure: {
              reason: 'progress-deadline-exceeded',
              summary: `no progress within the deadline (${lastSummary})`,
            },
          };
        case 'superseded':
          return { kind: 'superseded', current: status.current };
        case 'paused':
          throw new DeployError(
            'paused',
            `The rollout of ${applied.image} was paused (${status.summary})`,
            'permanent',
            {
              hint: 'Resume the Deployment (kubectl rollout resume), then deploy again.',
            },
          );
        default:
          lastSummary = status.summary;
      }
    }
    const left = deadline - clock.now();
    if (left <= 0) {
      return { kind: 'failed', failure: { reason: 'timeout', summary: `not done in time (${lastSummary})` } };
    }
    try {
      await clock.sleep(Math.min(interval, left), settings.signal);
    } catch (err) {
      throw deployErrorFrom(settings.signal?.aborted ? abortError(err) : err);
    }
  }
}

/** Target calls throw DeployErrors already; anything else (a bug, an abort) is classified too. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw deployErrorFrom(err);
  }
}

function abortError(cause: unknown): DeployError {
  return new DeployError('cancelled', 'The deploy was cancelled', 'transient', { cause });
}
