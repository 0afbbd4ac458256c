import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { auditEvents, type RunRow, runs, steps, type TaskRow, tasks } from '../../db/schema.js';
import { type AgentName, idempotencyKey, PHASE1_STEPS } from '../domain/pipeline.js';
import type { TaskStatus } from '../domain/task.js';
import type { ProjectSettingsResolver } from '../projects/resolver.js';
import type { PermissionService } from './permission-service.js';
import { guard, requireVersion, STALE_CARD_MESSAGE, STATUS_WORDS, TaskActionError } from './task-errors.js';

/**
 * Execute and Retry: starting a run for exactly the task version the approver saw, once, however
 * many clicks race (a conditional update plus the one-live-run-per-task index decide the winner).
 */
export class RunStarter {
  constructor(
    private readonly db: Db,
    private readonly permissions: PermissionService,
    private readonly requireTask: (taskId: string) => Promise<TaskRow>,
    private readonly pipeline: readonly AgentName[] = PHASE1_STEPS,
    private readonly settings?: ProjectSettingsResolver,
  ) {}

  /**
   * The steps a run of this task makes: the pipeline, less the issue and email steps its frozen
   * settings turn off. Later steps (code, …) stay: their agents read the settings themselves and
   * record why they did nothing, rather than vanish from the card.
   */
  private async stepsFor(task: TaskRow): Promise<AgentName[]> {
    if (!this.settings) return [...this.pipeline];
    const settings = await this.settings.forTask(task);
    const switchable: readonly string[] = ['ticket', 'email'];
    const enabled = this.pipeline.filter(
      (step) => !switchable.includes(step) || (settings.steps as readonly string[]).includes(step),
    );
    if (enabled.length === 0) {
      throw new TaskActionError(
        "None of the steps this bot can run is enabled in this channel's settings, so there is nothing to execute.",
        'invalid_state',
      );
    }
    return enabled;
  }

  /**
   * Starts a run for an approved task, or returns the run already started. Concurrent clicks
   * race on a conditional update and on the one-live-run-per-task index; exactly one wins.
   */
  async startRun(
    taskId: string,
    actor: string,
    expectedVersion: number,
  ): Promise<{ run: RunRow; created: boolean }> {
    const task = await this.requireTask(taskId);
    await guard(this.permissions.requireApprover(actor, 'execute', task.channelId));
    const already = await this.runAlreadyGoing(task);
    if (already) return already;
    requireVersion(task, expectedVersion);
    if (task.status !== 'approved') {
      throw new TaskActionError(
        task.status === 'proposed'
          ? 'This task must be approved before it can be executed.'
          : `This task is ${STATUS_WORDS[task.status as TaskStatus]}; only an approved task can be executed.`,
        'invalid_state',
      );
    }
    const agents = await this.stepsFor(task);
    return this.raceSafely(taskId, () =>
      this.db.transaction(async (tx) => {
        const [claimed] = await tx
          .update(tasks)
          .set({ status: 'running', version: sql`${tasks.version} + 1`, updatedAt: new Date() })
          .where(and(eq(tasks.id, taskId), eq(tasks.status, 'approved'), eq(tasks.version, expectedVersion)))
          .returning();
        if (!claimed) throw new LostRace();
        const [run] = await tx
          .insert(runs)
          .values({ taskId, startedBy: actor, status: 'queued' })
          .returning();
        if (!run) throw new Error('insert run returned nothing');
        await tx.insert(steps).values(
          agents.map((agent, position) => ({
            runId: run.id,
            agent,
            position,
            idempotencyKey: idempotencyKey(run.id, agent),
          })),
        );
        await tx
          .insert(auditEvents)
          .values({ taskId, actor, action: 'execute', detail: { runId: run.id, version: expectedVersion } });
        return { run, created: true };
      }),
    );
  }

  /** Puts a failed or cancelled run back in the queue; steps that succeeded stay done. */
  async retryRun(
    taskId: string,
    actor: string,
    expectedVersion: number,
  ): Promise<{ run: RunRow; created: boolean }> {
    const task = await this.requireTask(taskId);
    await guard(this.permissions.requireApprover(actor, 'retry', task.channelId));
    const already = await this.runAlreadyGoing(task);
    if (already) return already;
    requireVersion(task, expectedVersion);
    if (task.status !== 'failed' && task.status !== 'cancelled') {
      throw new TaskActionError(
        `This task is ${STATUS_WORDS[task.status as TaskStatus]}; only a failed or cancelled run can be retried.`,
        'invalid_state',
      );
    }
    const [last] = await this.db
      .select()
      .from(runs)
      .where(eq(runs.taskId, taskId))
      .orderBy(desc(runs.createdAt))
      .limit(1);
    if (!last) throw new TaskActionError('There is no run to retry; use Execute.', 'invalid_state');
    return this.raceSafely(taskId, () =>
      this.db.transaction(async (tx) => {
        const [claimed] = await tx
          .update(tasks)
          .set({ status: 'running', version: sql`${tasks.version} + 1`, updatedAt: new Date() })
          .where(
            and(
              eq(tasks.id, taskId),
              inArray(tasks.status, ['failed', 'cancelled']),
              eq(tasks.version, expectedVersion),
            ),
          )
          .returning();
        if (!claimed) throw new LostRace();
        const [run] = await tx
          .update(runs)
          .set({ status: 'queued', error: null, errorDetail: null, finishedAt: null })
          .where(and(eq(runs.id, last.id), inArray(runs.status, ['failed', 'cancelled'])))
          .returning();
        if (!run) throw new LostRace();
        await tx
          .update(steps)
          .set({ status: 'pending', attempt: 0, error: null, finishedAt: null, nextAttemptAt: null })
          .where(and(eq(steps.runId, run.id), or(eq(steps.status, 'failed'), eq(steps.status, 'skipped'))));
        await tx
          .insert(auditEvents)
          .values({ taskId, actor, action: 'retry', detail: { runId: run.id, version: expectedVersion } });
        return { run, created: true };
      }),
    );
  }

  /**
   * Runs a run-starting transaction; when a concurrent click won the race (our conditional
   * update matched nothing, or the one-live-run index refused us), answers with the winner's run.
   */
  private async raceSafely(
    taskId: string,
    start: () => Promise<{ run: RunRow; created: boolean }>,
  ): Promise<{ run: RunRow; created: boolean }> {
    try {
      return await start();
    } catch (err) {
      if (err instanceof LostRace || isUniqueViolation(err)) {
        const live = await this.liveRun(taskId);
        if (live) return { run: live, created: false };
        throw new TaskActionError(STALE_CARD_MESSAGE, 'stale');
      }
      throw err;
    }
  }

  /** A click on a task that is already running answers with its live run (nothing new starts). */
  private async runAlreadyGoing(task: TaskRow): Promise<{ run: RunRow; created: false } | undefined> {
    if (task.status !== 'running') return undefined;
    const live = await this.liveRun(task.id);
    return live ? { run: live, created: false } : undefined;
  }

  async liveRun(taskId: string): Promise<RunRow | undefined> {
    const [row] = await this.db
      .select()
      .from(runs)
      .where(and(eq(runs.taskId, taskId), inArray(runs.status, ['queued', 'running'])));
    return row;
  }
}

class LostRace extends Error {}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
