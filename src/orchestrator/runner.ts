import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { auditEvents, discussions, runs, type StepRow, steps, tasks } from '../../db/schema.js';
import { AgentError, type AgentTask, type Agent as PipelineAgent } from '../agents/types.js';
import type { AgentName } from '../domain/pipeline.js';
import type { Priority } from '../domain/task.js';
import { type Logger, scrubSecrets } from '../logger.js';

export interface RunnerOptions {
  db: Db;
  agents: Partial<Record<AgentName, PipelineAgent>>;
  logger: Logger;
  /** Called after every state change of a run (the Slack layer refreshes the card). */
  onChange?: (taskId: string) => void;
  /** Display name of a Slack user, for text written outside Slack. */
  resolveUserName?: (userId: string) => Promise<string | null>;
  /** Attempts per step for transient errors before the run fails (the user can still Retry). */
  maxAttempts?: number;
  /** Base of the exponential backoff between automatic attempts. */
  backoffMs?: number;
}

/**
 * Executes runs in this process, step after step, recording each transition in the database
 * before and after the agent's effect. A step that succeeded is never run again for its run;
 * agents get a stable idempotency key so a step interrupted mid-effect does not repeat it.
 */
export class Runner {
  private readonly active = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private stopping = false;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: RunnerOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
  }

  /** Starts executing a queued run unless this process already is. */
  enqueue(runId: string): void {
    if (this.stopping || this.active.has(runId)) return;
    const abort = new AbortController();
    const promise = this.execute(runId, abort.signal)
      .catch((err: unknown) => {
        this.options.logger.error({ err, runId }, 'run crashed');
      })
      .finally(() => {
        this.active.delete(runId);
      });
    this.active.set(runId, { promise, abort });
  }

  /** Picks up runs left queued or running by a previous process (after a restart). */
  async resumeIncomplete(): Promise<number> {
    const rows = await this.options.db
      .select({ id: runs.id })
      .from(runs)
      .where(inArray(runs.status, ['queued', 'running']));
    for (const row of rows) this.enqueue(row.id);
    return rows.length;
  }

  /** Stops a run: no further step starts; the running agent sees its AbortSignal fire. */
  async cancel(taskId: string, actor: string): Promise<boolean> {
    const db = this.options.db;
    const [run] = await db
      .update(runs)
      .set({ status: 'cancelled', finishedAt: new Date(), error: 'Cancelled' })
      .where(and(eq(runs.taskId, taskId), inArray(runs.status, ['queued', 'running'])))
      .returning();
    if (!run) return false;
    await db
      .update(steps)
      .set({ status: 'skipped' })
      .where(and(eq(steps.runId, run.id), eq(steps.status, 'pending')));
    await db
      .update(tasks)
      .set({ status: 'cancelled', updatedAt: new Date() })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, 'running')));
    await db.insert(auditEvents).values({ taskId, actor, action: 'cancel', detail: { runId: run.id } });
    this.active.get(run.id)?.abort.abort(new Error('cancelled'));
    this.options.onChange?.(taskId);
    return true;
  }

  /** Resolves when no run is executing (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0) {
      await Promise.allSettled([...this.active.values()].map((a) => a.promise));
    }
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([this.idle(), timer]);
    for (const { abort } of this.active.values()) abort.abort(new Error('shutting down'));
  }

  private async execute(runId: string, signal: AbortSignal): Promise<void> {
    const { db, logger } = this.options;
    const [run] = await db
      .update(runs)
      .set({ status: 'running', startedAt: new Date() })
      .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'running'])))
      .returning();
    if (!run) return;
    this.options.onChange?.(run.taskId);
    const task = await this.loadAgentTask(run.taskId);
    const stepRows = await db.select().from(steps).where(eq(steps.runId, runId)).orderBy(steps.position);
    const previous: Partial<Record<AgentName, Record<string, unknown>>> = {};

    for (const step of stepRows) {
      const agentName = step.agent as AgentName;
      if (step.status === 'succeeded') {
        previous[agentName] = step.output ?? {};
        continue;
      }
      if (step.status === 'skipped') continue;
      if (signal.aborted || (await this.isCancelled(runId))) return;
      const outcome = await this.runStep(step, task, previous, signal);
      if (outcome.ok) {
        previous[agentName] = outcome.output;
        continue;
      }
      if (outcome.cancelled) return;
      await this.finishRun(runId, run.taskId, 'failed', outcome.error);
      logger.warn({ runId, step: agentName, error: outcome.error }, 'run failed');
      return;
    }
    await this.finishRun(runId, run.taskId, 'succeeded', null);
    logger.info({ runId, taskId: run.taskId }, 'run succeeded');
  }

  private async runStep(
    step: StepRow,
    task: AgentTask,
    previous: Partial<Record<AgentName, Record<string, unknown>>>,
    signal: AbortSignal,
  ): Promise<
    { ok: true; output: Record<string, unknown> } | { ok: false; error: string; cancelled: boolean }
  > {
    const { db, logger } = this.options;
    const agent = this.options.agents[step.agent as AgentName];
    let attempt = step.attempt;
    for (;;) {
      attempt += 1;
      await db
        .update(steps)
        .set({ status: 'running', attempt, startedAt: new Date(), finishedAt: null, error: null })
        .where(eq(steps.id, step.id));
      this.options.onChange?.(task.id);
      try {
        if (!agent) throw new AgentError(`No agent is configured for step "${step.agent}".`, 'permanent');
        const output = await agent.run({
          runId: step.runId,
          idempotencyKey: step.idempotencyKey,
          attempt,
          task,
          previous,
          signal,
          logger: logger.child({ runId: step.runId, step: step.agent, attempt }),
        });
        await db
          .update(steps)
          .set({ status: 'succeeded', output, finishedAt: new Date(), error: null })
          .where(eq(steps.id, step.id));
        this.options.onChange?.(task.id);
        return { ok: true, output };
      } catch (err) {
        const failure = describeFailure(err);
        const cancelled = signal.aborted;
        const retry = !cancelled && failure.transient && attempt < this.maxAttempts;
        await db
          .update(steps)
          .set({
            status: retry ? 'pending' : 'failed',
            error: failure.message,
            finishedAt: new Date(),
          })
          .where(eq(steps.id, step.id));
        this.options.onChange?.(task.id);
        if (!retry) return { ok: false, error: `${step.agent}: ${failure.message}`, cancelled };
        const delay = failure.retryAfterMs ?? this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        logger.info(
          { step: step.agent, attempt, delay, error: failure.message },
          'transient step failure; retrying',
        );
        await sleep(Math.min(delay, 30_000), signal);
        if (signal.aborted) return { ok: false, error: 'cancelled', cancelled: true };
      }
    }
  }

  private async finishRun(
    runId: string,
    taskId: string,
    status: 'succeeded' | 'failed',
    error: string | null,
  ): Promise<void> {
    const db = this.options.db;
    await db.transaction(async (tx) => {
      const [run] = await tx
        .update(runs)
        .set({ status, error, finishedAt: new Date() })
        .where(and(eq(runs.id, runId), eq(runs.status, 'running')))
        .returning();
      if (!run) return;
      await tx
        .update(tasks)
        .set({ status: status === 'succeeded' ? 'done' : 'failed', updatedAt: new Date() })
        .where(and(eq(tasks.id, taskId), eq(tasks.status, 'running')));
    });
    this.options.onChange?.(taskId);
  }

  private async isCancelled(runId: string): Promise<boolean> {
    const [row] = await this.options.db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
    return row?.status === 'cancelled';
  }

  private async loadAgentTask(taskId: string): Promise<AgentTask> {
    const [row] = await this.options.db
      .select({ task: tasks, permalink: discussions.permalink })
      .from(tasks)
      .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
      .where(eq(tasks.id, taskId));
    if (!row) throw new Error(`task ${taskId} not found`);
    const t = row.task;
    const assigneeName = t.assignee
      ? ((await this.options.resolveUserName?.(t.assignee)) ?? t.assignee)
      : null;
    return {
      id: t.id,
      title: t.title,
      description: t.description,
      acceptanceCriteria: t.acceptanceCriteria,
      priority: t.priority as Priority,
      labels: t.labels,
      deadline: t.deadline,
      assignee: t.assignee,
      assigneeName,
      repo: t.repo,
      threadLink: row.permalink,
      evidence: t.evidence,
    };
  }
}

function describeFailure(err: unknown): { message: string; transient: boolean; retryAfterMs?: number } {
  if (err instanceof AgentError) {
    return {
      message: scrubSecrets(err.message),
      transient: err.kind === 'transient',
      ...(err.options.retryAfterMs !== undefined ? { retryAfterMs: err.options.retryAfterMs } : {}),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: scrubSecrets(message.split('\n')[0] ?? 'unknown error'), transient: false };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
