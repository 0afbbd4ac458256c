import { hostname } from 'node:os';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/index.js';
import { auditEvents, runs, steps, tasks } from '../../db/schema.js';
import type { Agent as PipelineAgent } from '../agents/types.js';
import type { AgentName } from '../domain/pipeline.js';
import type { Logger } from '../logger.js';
import { faultPoint } from '../testing/fault-points.js';
import { loadAgentTask, previousOutputs } from './agent-inputs.js';
import { createEffectLedger } from './effect-ledger.js';
import { backoffDelay, describeFailure, type Failure } from './retry-policy.js';
import { type ClaimedStep, pendingDueBy, StepClaims } from './step-claims.js';

export const WAKE_CHANNEL = 'orchestrator_wakeup';

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
  /** A step running longer than this is aborted and fails as transient (the retry policy applies). */
  stepTimeoutMs?: number;
  /** Longer deadlines for agents with a budget of their own (the code agent works for many minutes). */
  stepTimeoutsMs?: Partial<Record<AgentName, number>>;
  /** Fallback wake-up when no notification arrives (and for due retries). */
  pollMs?: number;
  /** Identifies this process in `steps.lease_owner`. */
  owner?: string;
}

type StopReason = 'cancelled' | 'shutdown' | 'lease-lost' | 'deadline';

/** One claim being executed here. Keyed by claim token: one step may have an older, lost claim too. */
interface InFlight {
  step: ClaimedStep;
  abort: AbortController;
  stopReason: StopReason | undefined;
  /** The whole execution, bookkeeping included. */
  promise: Promise<void>;
  /** The agent's own work; settles when the agent really stopped, even after we stopped waiting. */
  agentSettled: Promise<void>;
  /** Rejects with the abort reason once the claim is aborted. */
  aborted: Promise<never>;
}

/**
 * The durable runner. Steps are claimed from the database with a lease and a claim token, kept
 * alive by a heartbeat and released or taken over when a process dies, so any number of
 * processes on one PostgreSQL cooperate and each step runs in one claim at a time. Every
 * transition is written before and after the agent's effect; agents get a stable idempotency key
 * and an effects ledger bound to their claim, so an effect happens once across retries and crashes.
 */
export class Runner {
  readonly owner: string;
  private readonly inFlight = new Map<string, InFlight>();
  private wakeWaiters: Array<() => void> = [];
  private woken = false;
  private loopPromise: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private stopping = false;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly stepTimeoutMs: number;
  private readonly pollMs: number;
  private readonly claims: StepClaims;
  private claimsMade = 0;

  constructor(private readonly options: RunnerOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.concurrency = options.concurrency ?? 4;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.stepTimeoutMs = options.stepTimeoutMs ?? 600_000;
    this.pollMs = options.pollMs ?? (options.database.kind === 'postgres' ? 2_000 : 500);
    this.claims = new StepClaims(options.database.db, this.owner, this.leaseMs);
  }

  private get db() {
    return this.options.database.db;
  }

  /** Recovers what a previous process left behind, subscribes to wake-ups and starts claiming. */
  async start(): Promise<void> {
    // PGlite is opened by one process only (the data folder is locked): every lease is stale.
    const recovered = await this.claims.releaseLeases(this.options.database.kind === 'pglite');
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
    const released = await this.claims.releaseLeases(false);
    if (released > 0) this.wake();
    return released;
  }

  /** Stops a run: no further step starts; a running step sees its AbortSignal fire. */
  async cancel(taskId: string, actor: string): Promise<boolean> {
    const run = await this.db.transaction(async (tx) => {
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
      const [due] = await this.claims
        .stepsOfLiveRuns()
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
          const step = await this.claims.claimNext();
          if (!step) break;
          this.claimsMade += 1;
          faultPoint('runner:after-claim');
          this.launch(step);
        }
      } catch (err) {
        this.options.logger.error({ err }, 'claiming a step failed; will try again');
      }
      if (this.stopping) break;
      await this.waitForWake(this.pollMs);
    }
  }

  private launch(step: ClaimedStep): void {
    const abort = new AbortController();
    const aborted = new Promise<never>((_, reject) => {
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    const flight: InFlight = {
      step,
      abort,
      stopReason: undefined,
      promise: Promise.resolve(),
      agentSettled: Promise.resolve(),
      aborted,
    };
    this.inFlight.set(step.claimToken, flight);
    flight.promise = this.execute(flight)
      .catch((err: unknown) => this.options.logger.error({ err, stepId: step.id }, 'step execution crashed'))
      .finally(() => {
        this.inFlight.delete(step.claimToken);
        this.wake();
      });
  }

  private abortStep(flight: InFlight, reason: StopReason): void {
    flight.stopReason ??= reason;
    flight.abort.abort(new Error(reason));
  }

  /**
   * Older claims of the same step still running here (their lease ran out and the step was
   * claimed again): they lost the step, so stop them, and wait until their agent really stopped
   * before ours starts. Two claims of one step never run the agent at the same time here.
   */
  private async retireOlderClaims(flight: InFlight): Promise<void> {
    const older = [...this.inFlight.values()].filter((f) => f !== flight && f.step.id === flight.step.id);
    for (const f of older) this.abortStep(f, 'lease-lost');
    await Promise.race([Promise.allSettled(older.map((f) => f.agentSettled)), flight.aborted]).catch(
      () => {},
    );
  }

  // ------------------------------------------------------------------------ one step, once

  private async execute(flight: InFlight): Promise<void> {
    const { step } = flight;
    const taskId = await this.claims.startRun(step.runId);
    if (!taskId) return;
    this.options.onChange?.(taskId);
    const beat = Math.max(50, Math.floor(this.leaseMs / 3));
    let renewedAt = Date.now();
    const heartbeat = setInterval(() => {
      this.claims.renew(step).then(
        (state) => {
          renewedAt = Date.now();
          if (state === 'lost') this.abortStep(flight, 'lease-lost');
          if (state === 'cancelled') this.abortStep(flight, 'cancelled');
        },
        (err: unknown) => {
          this.options.logger.warn({ err, stepId: step.id }, 'heartbeat failed');
          // The next beat might come after the lease ran out: stop before another claim can start.
          if (Date.now() + beat >= renewedAt + this.leaseMs) this.abortStep(flight, 'lease-lost');
        },
      );
    }, beat);
    const deadline = setTimeout(() => this.abortStep(flight, 'deadline'), this.deadlineOf(step));
    try {
      await this.retireOlderClaims(flight);
      if (flight.stopReason) {
        await this.handleError(flight, taskId, flight.abort.signal.reason);
        return;
      }
      if (step.attempt > this.maxAttempts) {
        await this.fail(step, taskId, `gave up after ${this.maxAttempts} attempts`);
        return;
      }
      const agent = this.options.agents[step.agent as AgentName];
      if (!agent) {
        await this.fail(step, taskId, `no agent is configured for step "${step.agent}"`);
        return;
      }
      let output: Record<string, unknown>;
      try {
        output = await this.runAgent(flight, agent, taskId);
      } catch (err) {
        await this.handleError(flight, taskId, err);
        return;
      }
      const outcome = await this.claims.succeed(step, taskId, output);
      if (outcome === 'fenced') {
        this.options.logger.warn(
          { runId: step.runId, step: step.agent },
          'step was taken over; result dropped',
        );
        return;
      }
      if (outcome === 'run-done') this.options.logger.info({ runId: step.runId, taskId }, 'run succeeded');
      faultPoint('runner:after-success');
    } finally {
      clearInterval(heartbeat);
      clearTimeout(deadline);
      this.options.onChange?.(taskId);
    }
  }

  /**
   * The agent's run, raced against the claim's abort signal: a deadline, a lost lease or a
   * cancel frees this slot even when an agent (or the call it waits on) ignores the signal.
   */
  private async runAgent(
    flight: InFlight,
    agent: PipelineAgent,
    taskId: string,
  ): Promise<Record<string, unknown>> {
    const { step } = flight;
    const [task, previous] = await Promise.all([
      loadAgentTask(this.db, taskId, this.options.resolveUserName),
      previousOutputs(this.db, step.runId),
    ]);
    // Stopped while loading (e.g. a newer claim of this step retired us): never start the agent.
    flight.abort.signal.throwIfAborted();
    const work = agent.run({
      runId: step.runId,
      idempotencyKey: step.idempotencyKey,
      attempt: step.attempt,
      task,
      previous,
      signal: flight.abort.signal,
      logger: this.options.logger.child({ runId: step.runId, step: step.agent, attempt: step.attempt }),
      effects: createEffectLedger(this.db, step.claimToken),
    });
    flight.agentSettled = work.then(
      () => {},
      () => {},
    );
    return Promise.race([work, flight.aborted]);
  }

  private async handleError(flight: InFlight, taskId: string, err: unknown): Promise<void> {
    const { step } = flight;
    const reason = flight.stopReason;
    if (reason === 'shutdown') return this.claims.handBack(step);
    if (reason === 'lease-lost') return;
    if (reason === 'cancelled') return this.claims.skipCancelled(step);
    const failure: Failure =
      reason === 'deadline'
        ? {
            detail: undefined,
            message: `took longer than ${describeDuration(this.deadlineOf(step))} and was stopped`,
            transient: true,
          }
        : describeFailure(err);
    if (failure.transient && step.attempt < this.maxAttempts) {
      const delay = backoffDelay(
        step.attempt,
        { baseMs: this.options.backoffBaseMs ?? 1_000, maxMs: this.options.backoffMaxMs ?? 5 * 60_000 },
        failure.retryAfterMs,
      );
      const error = `${failure.message} (attempt ${step.attempt} of ${this.maxAttempts}; retrying)`;
      if (!(await this.claims.retryLater(step, error, delay))) return;
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

  private deadlineOf(step: ClaimedStep): number {
    return Math.max(this.stepTimeoutMs, this.options.stepTimeoutsMs?.[step.agent as AgentName] ?? 0);
  }

  private async fail(step: ClaimedStep, taskId: string, message: string, detail?: string): Promise<void> {
    if (await this.claims.fail(step, taskId, message, detail)) {
      this.options.logger.warn({ runId: step.runId, step: step.agent, error: message, detail }, 'run failed');
    }
  }
}

function describeDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
