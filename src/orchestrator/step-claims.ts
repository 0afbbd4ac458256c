import { randomUUID } from 'node:crypto';
import {
  and,
  asc,
  eq,
  inArray,
  isNull,
  lt,
  lte,
  notExists,
  notInArray,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/index.js';
import { runs, type StepRow, steps, tasks } from '../../db/schema.js';

/**
 * The step table's state machine, seen from one claim. Every claim gets its own token
 * (`steps.claim_token`); every write a claim makes afterwards (heartbeat, success, retry,
 * release, failure) is fenced by that token. A claim that was taken over, by another process or
 * by this one after its lease ran out, finds zero rows and must stop: it no longer owns the step.
 */

/** A claimed step; `claimToken` is set by `claimNext` and never null here. */
export type ClaimedStep = StepRow & { claimToken: string };

const inMs = (ms: number) => sql`now() + (${ms} * interval '1 millisecond')`;

/** A pending step whose next attempt is due by `when` (a retry waits for its backoff). */
export function pendingDueBy(when: SQL) {
  return and(eq(steps.status, 'pending'), or(isNull(steps.nextAttemptAt), lte(steps.nextAttemptAt, when)));
}

/** The fence of every write a claim makes: its step, its token, still running. */
function fence(step: ClaimedStep) {
  return and(eq(steps.id, step.id), eq(steps.claimToken, step.claimToken), eq(steps.status, 'running'));
}

const released = { leaseOwner: null, leaseUntil: null } as const;

export class StepClaims {
  constructor(
    private readonly db: Db,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** Step ids joined with their runs; callers add the run-status and step conditions. */
  stepsOfLiveRuns() {
    return this.db.select({ id: steps.id }).from(steps).innerJoin(runs, eq(runs.id, steps.runId)).$dynamic();
  }

  /**
   * One statement: lock the oldest due step nobody holds (`FOR UPDATE SKIP LOCKED`, so
   * concurrent claimers skip each other's rows instead of waiting) and take it with a lease and
   * a fresh claim token. Due means pending and past its backoff, or running under a lease that
   * expired (its process died); and every earlier step of its run has succeeded.
   */
  async claimNext(): Promise<ClaimedStep | undefined> {
    const prior = alias(steps, 'prior');
    const now = sql`now()`;
    const candidate = this.stepsOfLiveRuns()
      .where(
        and(
          inArray(runs.status, ['queued', 'running']),
          or(pendingDueBy(now), and(eq(steps.status, 'running'), lt(steps.leaseUntil, now))),
          notExists(
            this.db
              .select({ one: sql`1` })
              .from(prior)
              .where(
                and(
                  eq(prior.runId, steps.runId),
                  lt(prior.position, steps.position),
                  notInArray(prior.status, ['succeeded', 'skipped']),
                ),
              ),
          ),
        ),
      )
      .orderBy(asc(steps.createdAt), asc(steps.position))
      .limit(1)
      .for('update', { of: steps, skipLocked: true });
    const claimToken = randomUUID();
    const [claimed] = await this.db
      .update(steps)
      .set({
        status: 'running',
        leaseOwner: this.owner,
        leaseUntil: inMs(this.leaseMs),
        claimToken,
        attempt: sql`${steps.attempt} + 1`,
        startedAt: sql`now()`,
        finishedAt: null,
        nextAttemptAt: null,
      })
      .where(inArray(steps.id, candidate))
      .returning();
    return claimed ? { ...claimed, claimToken } : undefined;
  }

  /** Marks the run running on its first step and reads its task back in the same statement. */
  async startRun(runId: string): Promise<string | undefined> {
    const [run] = await this.db
      .update(runs)
      .set({
        status: sql`case when ${runs.status} = 'queued' then 'running' else ${runs.status} end`,
        startedAt: sql`coalesce(${runs.startedAt}, now())`,
      })
      .where(eq(runs.id, runId))
      .returning({ taskId: runs.taskId });
    return run?.taskId;
  }

  /** Extends the lease. `lost` when the claim no longer holds the step; the run's status otherwise. */
  async renew(step: ClaimedStep): Promise<'lost' | 'cancelled' | 'held'> {
    const [row] = await this.db
      .update(steps)
      .set({ leaseUntil: inMs(this.leaseMs) })
      .where(fence(step))
      .returning({ runId: steps.runId });
    if (!row) return 'lost';
    const [run] = await this.db.select({ status: runs.status }).from(runs).where(eq(runs.id, row.runId));
    return run?.status === 'cancelled' ? 'cancelled' : 'held';
  }

  /** Records the output; finishes run and task when no step is left. `fenced`: the claim was lost. */
  async succeed(
    step: ClaimedStep,
    taskId: string,
    output: Record<string, unknown>,
  ): Promise<'fenced' | 'step-done' | 'run-done'> {
    return this.db.transaction(async (tx) => {
      const [done] = await tx
        .update(steps)
        .set({ status: 'succeeded', output, error: null, finishedAt: new Date(), ...released })
        .where(fence(step))
        .returning({ id: steps.id });
      if (!done) return 'fenced';
      // The run is done when no other step is left; checked in the same statement.
      const [finished] = await tx
        .update(runs)
        .set({ status: 'succeeded', error: null, finishedAt: new Date() })
        .where(
          and(
            eq(runs.id, step.runId),
            eq(runs.status, 'running'),
            notExists(
              tx
                .select({ one: sql`1` })
                .from(steps)
                .where(and(eq(steps.runId, step.runId), notInArray(steps.status, ['succeeded', 'skipped']))),
            ),
          ),
        )
        .returning({ id: runs.id });
      if (finished) {
        await tx
          .update(tasks)
          .set({ status: 'done', updatedAt: new Date() })
          .where(and(eq(tasks.id, taskId), eq(tasks.status, 'running')));
        return 'run-done';
      }
      return 'step-done';
    });
  }

  /** Fails step, run and task. False when fenced out (another claim's outcome stands). */
  async fail(step: ClaimedStep, taskId: string, message: string, detail?: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [failed] = await tx
        .update(steps)
        .set({ status: 'failed', error: message, finishedAt: new Date(), ...released })
        .where(fence(step))
        .returning({ id: steps.id });
      if (!failed) return false;
      const [run] = await tx
        .update(runs)
        .set({
          status: 'failed',
          error: `${step.agent}: ${message}`,
          errorDetail: detail ? `${step.agent}: ${detail}` : null,
          finishedAt: new Date(),
        })
        .where(and(eq(runs.id, step.runId), eq(runs.status, 'running')))
        .returning({ id: runs.id });
      if (run) {
        await tx
          .update(tasks)
          .set({ status: 'failed', updatedAt: new Date() })
          .where(and(eq(tasks.id, taskId), eq(tasks.status, 'running')));
      }
      return true;
    });
  }

  /** A transient failure: back to pending, due again after `delayMs`. */
  async retryLater(step: ClaimedStep, error: string, delayMs: number): Promise<boolean> {
    const rows = await this.db
      .update(steps)
      .set({
        status: 'pending',
        error,
        nextAttemptAt: inMs(delayMs),
        finishedAt: new Date(),
        ...released,
      })
      .where(fence(step))
      .returning({ id: steps.id });
    return rows.length > 0;
  }

  /** Shutdown, not the agent's fault: hand the step back untouched, the attempt not counted. */
  async handBack(step: ClaimedStep): Promise<void> {
    await this.db
      .update(steps)
      .set({ status: 'pending', attempt: sql`greatest(${steps.attempt} - 1, 0)`, ...released })
      .where(fence(step));
  }

  /** The run was cancelled while this step ran. */
  async skipCancelled(step: ClaimedStep): Promise<void> {
    await this.db
      .update(steps)
      .set({ status: 'skipped', error: 'Cancelled', finishedAt: new Date(), ...released })
      .where(fence(step));
  }

  /** Running steps (all, or those whose lease ran out) back to pending; returns how many. */
  async releaseLeases(all: boolean): Promise<number> {
    const rows = await this.db
      .update(steps)
      .set({ status: 'pending', ...released })
      .where(and(eq(steps.status, 'running'), all ? undefined : lt(steps.leaseUntil, sql`now()`)))
      .returning({ id: steps.id });
    return rows.length;
  }
}
