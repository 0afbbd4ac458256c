import { hostname } from 'node:os';
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
import type { Database } from '../../db/index.js';
import { auditEvents, discussions, runs, type StepRow, steps, tasks } from '../../db/schema.js';
import type { AgentTask, Agent as PipelineAgent } from '../agents/types.js';
import type { AgentName } from '../domain/pipeline.js';
import type { Logger } from '../logger.js';
import { taskFieldsOf } from '../tasks/task-fields.js';
import { createEffectLedger } from './effect-ledger.js';
import { backoffDelay, describeFailure } from './retry-policy.js';

export const WAKE_CHANNEL = 'orchestrator_wakeup';

/** A pending step whose next attempt is due by `when` (a retry waits for its backoff). */
function pendingDueBy(when: SQL) {
  return and(eq(steps.status, 'pending'), or(isNull(steps.nextAttemptAt), lte(steps.nextAttemptAt, when)));
}

export interface RunnerOptions {
  database: Database;
  agents: Partial<Record<AgentName, PipelineAgent>>;
  logger: Logger;
  /** Called after every state change of a run (the Slack layer refreshes the card). */
  onChange?: (taskId: string) => void;
  /** Display name of a Slack user, for text written outside Slack. */
  resolveUserName?: (userId: string) => Promise<string | null>;
  /** Steps this process runs at once. */
  concurrency?: number;
  /** Attempts per step (transient errors) before the run fails; the user can still Retry. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long a claimed step stays ours without a heartbeat. */
  leaseMs?: number;
  /** Fallback wake-up when no notification arrives (and for due retries). */
  pollMs?: number;
  /** Identifies this process in `steps.lease_owner`. */
  owner?: string;
}

type StopReason = 'cancelled' | 'shutdown' | 'lease-lost';

interface InFlight {
  step: StepRow;
  abort: AbortController;
  promise: Promise<void>;
}

/**
 * The durable runner. Steps are claimed from the database with a lease (`FOR UPDATE SKIP
 * LOCKED`), kept alive by a heartbeat and released or taken over when a process dies, so any
 * number of processes on one PostgreSQL cooperate and each step runs in one of them at a time.
 * Every transition is written before and after the agent's effect; agents get a stable
 * idempotency key and the effects ledger, so an effect happens once across retries and crashes.
 */
export class Runner {
  readonly owner: string;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly stopReasons = new Map<string, StopReason>();
  private wakeWaiters: Array<() => void> = [];
  private woken = false;
  private loopPromise: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private stopping = false;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly ledger;
  private claimsMade = 0;

  constructor(private readonly options: RunnerOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.concurrency = options.concurrency ?? 4;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? (options.database.kind === 'postgres' ? 2_000 : 500);
    this.ledger = createEffectLedger(options.database.db);
  }

  private get db() {
    return this.options.database.db;
  }

  /** Recovers what a previous process left behind, subscribes to wake-ups and starts claiming. */
  async start(): Promise<void> {
    // PGlite is opened by one process only (the data folder is locked): every lease is stale.
    const recovered =
      this.options.database.kind === 'pglite'
        ? await this.releaseLeases(true)
        : await this.recoverExpiredLeases();
    if (recovered > 0)
      this.options.logger.info({ recovered }, 'took over steps left running by a stopped process');
    const sqlClient = this.options.database.sql;
    if (sqlClient) {
      const sub = await sqlClient.listen(WAKE_CHANNEL, () => this.wake());
      this.unlisten = () => sub.unlisten();
    }
    this.loopPromise = this.loop();
  }

  /** A run was queued (here or elsewhere): wake this process and, on PostgreSQL, all others. */
  enqueue(_runId?: string): void {
    this.wake();
    const sqlClient = this.options.database.sql;
    if (sqlClient) {
      sqlClient.notify(WAKE_CHANNEL, 'run').catch((err: unknown) => {
        this.options.logger.warn({ err }, 'could not notify other processes');
      });
    }
  }

  /** Steps whose lease ran out (their process died) go back to pending; returns how many. */
  async recoverExpiredLeases(): Promise<number> {
    return this.releaseLeases(false);
  }

  /** Stops a run: no further step starts; a running step sees its AbortSignal fire. */
  async cancel(taskId: string, actor: string): Promise<boolean> {
    const db = this.db;
    const run = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(runs)
        .set({ status: 'cancelled', finishedAt: new Date(), error: 'Cancelled' })
        .where(and(eq(runs.taskId, taskId), inArray(runs.status, ['queued', 'running'])))
        .returning();
      if (!row) return undefined;
      await tx
        .update(steps)
        .set({ status: 'skipped', error: 'Cancelled', leaseOwner: null, leaseUntil: null })
        .where(and(eq(steps.runId, row.id), eq(steps.status, 'pending')));
      await tx
        .update(tasks)
        .set({ status: 'cancelled', updatedAt: new Date() })
        .where(and(eq(tasks.id, taskId), eq(tasks.status, 'running')));
      await tx.insert(auditEvents).values({ taskId, actor, action: 'cancel', detail: { runId: row.id } });
      return row;
    });
    if (!run) return false;
    for (const flight of this.inFlight.values()) {
      if (flight.step.runId === run.id) this.abortStep(flight, 'cancelled');
    }
    this.options.onChange?.(taskId);
    return true;
  }

  /** Resolves when nothing runs here and no step of a live run is due soon (tests, benchmarks). */
  async idle(horizonMs = 10_000): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.inFlight.values()].map((f) => f.promise));
      if (this.inFlight.size > 0) continue;
      const [due] = await this.stepsOfLiveRuns()
        .where(
          and(
            inArray(runs.status, ['queued', 'running']),
            or(
              pendingDueBy(sql`now() + (${horizonMs} * interval '1 millisecond')`),
              eq(steps.status, 'running'),
            ),
          ),
        )
        .limit(1);
      if (!due || this.stopping) return;
      this.wake();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Graceful shutdown: stop claiming, let running steps finish, then release the rest. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loopPromise;
    const flights = [...this.inFlight.values()];
    const finished = Promise.allSettled(flights.map((f) => f.promise));
    const timer = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), timeoutMs).unref(),
    );
    if ((await Promise.race([finished, timer])) === 'timeout') {
      for (const flight of this.inFlight.values()) this.abortStep(flight, 'shutdown');
      await Promise.allSettled(flights.map((f) => f.promise));
    }
    await this.unlisten?.().catch(() => {});
  }

  stats(): { claims: number; inFlight: number } {
    return { claims: this.claimsMade, inFlight: this.inFlight.size };
  }

  // ------------------------------------------------------------------------------- the loop

  private wake(): void {
    this.woken = true;
    const waiters = this.wakeWaiters;
    this.wakeWaiters = [];
    for (const w of waiters) w();
  }

  private waitForWake(ms: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      try {
        while (!this.stopping && this.inFlight.size < this.concurrency) {
          const step = await this.claim();
          if (!step) break;
          this.launch(step);
        }
      } catch (err) {
        this.options.logger.error({ err }, 'claiming a step failed; will try again');
      }
      if (this.stopping) break;
      await this.waitForWake(this.pollMs);
    }
  }

  /**
   * One statement: lock the oldest due step nobody holds (`FOR UPDATE SKIP LOCKED`, so
   * concurrent claimers skip each other's rows instead of waiting) and take it with a lease.
   * Due means pending and past its backoff, or running under a lease that expired (its process
   * died); and every earlier step of its run has succeeded.
   */
  private async claim(): Promise<StepRow | undefined> {
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
    const [claimed] = await this.db
      .update(steps)
      .set({
        status: 'running',
        leaseOwner: this.owner,
        leaseUntil: sql`now() + (${this.leaseMs} * interval '1 millisecond')`,
        attempt: sql`${steps.attempt} + 1`,
        startedAt: sql`now()`,
        finishedAt: null,
        nextAttemptAt: null,
      })
      .where(inArray(steps.id, candidate))
      .returning();
    if (claimed) this.claimsMade += 1;
    return claimed;
  }

  /** Step ids joined with their runs; callers add the run-status and step conditions. */
  private stepsOfLiveRuns() {
    return this.db.select({ id: steps.id }).from(steps).innerJoin(runs, eq(runs.id, steps.runId)).$dynamic();
  }

  private launch(step: StepRow): void {
    const abort = new AbortController();
    const flight: InFlight = { step, abort, promise: Promise.resolve() };
    flight.promise = this.execute(flight)
      .catch((err: unknown) => this.options.logger.error({ err, stepId: step.id }, 'step execution crashed'))
      .finally(() => {
        this.inFlight.delete(step.id);
        this.stopReasons.delete(step.id);
        this.wake();
      });
    this.inFlight.set(step.id, flight);
  }

  private abortStep(flight: InFlight, reason: StopReason): void {
    if (!this.stopReasons.has(flight.step.id)) this.stopReasons.set(flight.step.id, reason);
    flight.abort.abort(new Error(reason));
  }

  // ------------------------------------------------------------------------ one step, once

  private async execute(flight: InFlight): Promise<void> {
    const { step } = flight;
    const { logger } = this.options;
    // Marks the run running on its first step and reads it back in the same statement.
    const [run] = await this.db
      .update(runs)
      .set({
        status: sql`case when ${runs.status} = 'queued' then 'running' else ${runs.status} end`,
        startedAt: sql`coalesce(${runs.startedAt}, now())`,
      })
      .where(eq(runs.id, step.runId))
      .returning({ taskId: runs.taskId });
    if (!run) return;
    this.options.onChange?.(run.taskId);
    const heartbeat = setInterval(
      () => void this.heartbeat(flight),
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    try {
      if (step.attempt > this.maxAttempts) {
        await this.fail(step, run.taskId, `gave up after ${this.maxAttempts} attempts`);
        return;
      }
      const agent = this.options.agents[step.agent as AgentName];
      if (!agent) {
        await this.fail(step, run.taskId, `no agent is configured for step "${step.agent}"`);
        return;
      }
      const [task, previous] = await Promise.all([
        this.loadAgentTask(run.taskId),
        this.previousOutputs(step.runId),
      ]);
      let output: Record<string, unknown>;
      try {
        output = await agent.run({
          runId: step.runId,
          idempotencyKey: step.idempotencyKey,
          attempt: step.attempt,
          task,
          previous,
          signal: flight.abort.signal,
          logger: logger.child({ runId: step.runId, step: step.agent, attempt: step.attempt }),
          effects: this.ledger,
        });
      } catch (err) {
        await this.handleError(flight, run.taskId, err);
        return;
      }
      await this.succeed(step, run.taskId, output);
    } finally {
      clearInterval(heartbeat);
      this.options.onChange?.(run.taskId);
    }
  }

  /** Extends our lease; aborts the agent when the lease was lost or the run cancelled. */
  private async heartbeat(flight: InFlight): Promise<void> {
    try {
      const [row] = await this.db
        .update(steps)
        .set({ leaseUntil: sql`now() + (${this.leaseMs} * interval '1 millisecond')` })
        .where(
          and(eq(steps.id, flight.step.id), eq(steps.leaseOwner, this.owner), eq(steps.status, 'running')),
        )
        .returning({ runId: steps.runId });
      if (!row) {
        this.abortStep(flight, 'lease-lost');
        return;
      }
      const [run] = await this.db.select({ status: runs.status }).from(runs).where(eq(runs.id, row.runId));
      if (run?.status === 'cancelled') this.abortStep(flight, 'cancelled');
    } catch (err) {
      this.options.logger.warn({ err }, 'heartbeat failed');
    }
  }

  private async succeed(step: StepRow, taskId: string, output: Record<string, unknown>): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Fenced by lease_owner: if another process took the step over, its outcome stands.
      const [done] = await tx
        .update(steps)
        .set({
          status: 'succeeded',
          output,
          error: null,
          finishedAt: new Date(),
          leaseOwner: null,
          leaseUntil: null,
        })
        .where(and(eq(steps.id, step.id), eq(steps.leaseOwner, this.owner), eq(steps.status, 'running')))
        .returning({ id: steps.id });
      if (!done) return;
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
        this.options.logger.info({ runId: step.runId, taskId }, 'run succeeded');
      }
    });
  }

  private async handleError(flight: InFlight, taskId: string, err: unknown): Promise<void> {
    const { step } = flight;
    const reason = this.stopReasons.get(step.id);
    const fence = and(eq(steps.id, step.id), eq(steps.leaseOwner, this.owner), eq(steps.status, 'running'));
    if (reason === 'shutdown') {
      // Not the agent's fault: hand the step back untouched for another process (or our restart).
      await this.db
        .update(steps)
        .set({
          status: 'pending',
          attempt: sql`greatest(${steps.attempt} - 1, 0)`,
          leaseOwner: null,
          leaseUntil: null,
        })
        .where(fence);
      return;
    }
    if (reason === 'lease-lost') return;
    if (reason === 'cancelled') {
      await this.db
        .update(steps)
        .set({
          status: 'skipped',
          error: 'Cancelled',
          finishedAt: new Date(),
          leaseOwner: null,
          leaseUntil: null,
        })
        .where(fence);
      return;
    }
    const failure = describeFailure(err);
    if (failure.transient && step.attempt < this.maxAttempts) {
      const delay = backoffDelay(
        step.attempt,
        { baseMs: this.options.backoffBaseMs ?? 1_000, maxMs: this.options.backoffMaxMs ?? 5 * 60_000 },
        failure.retryAfterMs,
      );
      await this.db
        .update(steps)
        .set({
          status: 'pending',
          error: `${failure.message} (attempt ${step.attempt} of ${this.maxAttempts}; retrying)`,
          nextAttemptAt: sql`now() + (${delay} * interval '1 millisecond')`,
          finishedAt: new Date(),
          leaseOwner: null,
          leaseUntil: null,
        })
        .where(fence);
      this.options.logger.info(
        { runId: step.runId, step: step.agent, attempt: step.attempt, delay, error: failure.message },
        'transient failure; will retry',
      );
      setTimeout(() => this.wake(), delay + 5).unref();
      return;
    }
    const suffix = failure.transient ? ` (gave up after ${step.attempt} attempts)` : '';
    await this.fail(step, taskId, `${failure.message}${suffix}`, failure.detail);
  }

  private async fail(step: StepRow, taskId: string, message: string, detail?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [failed] = await tx
        .update(steps)
        .set({ status: 'failed', error: message, finishedAt: new Date(), leaseOwner: null, leaseUntil: null })
        .where(and(eq(steps.id, step.id), eq(steps.leaseOwner, this.owner), eq(steps.status, 'running')))
        .returning({ id: steps.id });
      if (!failed) return;
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
    });
    this.options.logger.warn({ runId: step.runId, step: step.agent, error: message, detail }, 'run failed');
  }

  private async releaseLeases(all: boolean): Promise<number> {
    const released = await this.db
      .update(steps)
      .set({ status: 'pending', leaseOwner: null, leaseUntil: null })
      .where(and(eq(steps.status, 'running'), all ? undefined : lt(steps.leaseUntil, sql`now()`)))
      .returning({ id: steps.id });
    if (released.length > 0) this.wake();
    return released.length;
  }

  private async previousOutputs(runId: string): Promise<Partial<Record<AgentName, Record<string, unknown>>>> {
    const rows = await this.db
      .select({ agent: steps.agent, output: steps.output })
      .from(steps)
      .where(and(eq(steps.runId, runId), eq(steps.status, 'succeeded')));
    return Object.fromEntries(rows.map((r) => [r.agent, r.output ?? {}]));
  }

  private async loadAgentTask(taskId: string): Promise<AgentTask> {
    const [row] = await this.db
      .select({ task: tasks, permalink: discussions.permalink })
      .from(tasks)
      .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
      .where(eq(tasks.id, taskId));
    if (!row) throw new Error(`task ${taskId} not found`);
    const t = row.task;
    const assigneeName = t.assignee
      ? ((await this.options.resolveUserName?.(t.assignee)) ?? t.assignee)
      : null;
    return { ...taskFieldsOf(t), id: t.id, assigneeName, threadLink: row.permalink, evidence: t.evidence };
  }
}
