import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import {
  auditEvents,
  type DiscussionRow,
  discussions,
  type RunRow,
  runs,
  type StepRow,
  steps,
  type TaskRow,
  tasks,
} from '../../db/schema.js';
import type { ExtractedTask } from '../domain/extraction.js';
import { type AgentName, PHASE1_STEPS } from '../domain/pipeline.js';
import { statusAfterEdit, type TaskFields, type TaskStatus } from '../domain/task.js';
import type { ProjectSettingsResolver } from '../projects/resolver.js';
import type { ResolvedSettings } from '../projects/settings.js';
import type { PermissionService } from './permission-service.js';
import { RunStarter } from './run-start.js';
import { guard, requireVersion, STALE_CARD_MESSAGE, STATUS_WORDS, TaskActionError } from './task-errors.js';

export { STALE_CARD_MESSAGE, TaskActionError };

export interface NewDiscussion {
  teamId: string | null;
  channelId: string;
  threadTs: string | null;
  permalink: string | null;
  requestedBy: string;
  source: 'thread' | 'text';
  messageCount: number;
  extractor: string;
  truncated: boolean;
  inputTokens: number;
  outputTokens: number;
  /** Estimated USD of the extraction; null when unknown (rules cost nothing: 0). */
  costUsd?: number | null;
}

export interface RunWithSteps {
  run: RunRow;
  steps: StepRow[];
}

/**
 * Every change to tasks, runs and steps made on behalf of a person goes through here, with the
 * rules of src/domain applied and an audit event written in the same transaction.
 */
export class TaskStore {
  constructor(
    private readonly db: Db,
    readonly permissions: PermissionService,
    /** The steps of a new run, in order (bootstrap adds `code` for Phase 2). */
    pipeline: readonly AgentName[] = PHASE1_STEPS,
    /** Absent in store-level tests: every channel then follows the environment, nothing is frozen. */
    readonly settings?: ProjectSettingsResolver,
  ) {
    this.runStarter = new RunStarter(
      db,
      permissions,
      (taskId) => this.requireTask(taskId),
      pipeline,
      settings,
    );
  }

  private readonly runStarter: RunStarter;

  /** Starts a run for the approved version the click carried, or returns the run already started. */
  startRun(
    taskId: string,
    actor: string,
    expectedVersion: number,
  ): Promise<{ run: RunRow; created: boolean }> {
    return this.runStarter.startRun(taskId, actor, expectedVersion);
  }

  /** Puts a failed or cancelled run back in the queue; steps that succeeded stay done. */
  retryRun(
    taskId: string,
    actor: string,
    expectedVersion: number,
  ): Promise<{ run: RunRow; created: boolean }> {
    return this.runStarter.retryRun(taskId, actor, expectedVersion);
  }

  liveRun(taskId: string): Promise<RunRow | undefined> {
    return this.runStarter.liveRun(taskId);
  }

  async createDiscussion(
    discussion: NewDiscussion,
    extracted: ExtractedTask[],
    repo: string,
  ): Promise<{ discussion: DiscussionRow; tasks: TaskRow[] }> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(discussions).values(discussion).returning();
      if (!row) throw new Error('insert discussion returned nothing');
      const taskRows =
        extracted.length === 0
          ? []
          : await tx
              .insert(tasks)
              .values(
                extracted.map((t, position) => ({
                  discussionId: row.id,
                  position,
                  title: t.title,
                  description: t.description,
                  acceptanceCriteria: t.acceptanceCriteria,
                  priority: t.priority,
                  labels: t.labels,
                  deadline: t.deadline,
                  assignee: t.assignee,
                  evidence: t.evidence,
                  repo,
                  channelId: discussion.channelId,
                  threadTs: discussion.threadTs,
                })),
              )
              .returning();
      await tx.insert(auditEvents).values({
        actor: discussion.requestedBy,
        action: 'extract',
        detail: { discussionId: row.id, tasks: taskRows.length, extractor: discussion.extractor },
      });
      return { discussion: row, tasks: taskRows.sort((a, b) => a.position - b.position) };
    });
  }

  async setSummaryTs(discussionId: string, summaryTs: string, threadTs: string): Promise<void> {
    await this.db
      .update(discussions)
      .set({ summaryTs, threadTs: sql`coalesce(${discussions.threadTs}, ${threadTs})` })
      .where(eq(discussions.id, discussionId));
    await this.db
      .update(tasks)
      .set({ threadTs: sql`coalesce(${tasks.threadTs}, ${threadTs})` })
      .where(eq(tasks.discussionId, discussionId));
  }

  async setCardMessage(taskId: string, channelId: string, messageTs: string): Promise<void> {
    await this.db.update(tasks).set({ channelId, messageTs }).where(eq(tasks.id, taskId));
  }

  async getTask(taskId: string): Promise<TaskRow | undefined> {
    if (!isUuid(taskId)) return undefined;
    const [row] = await this.db.select().from(tasks).where(eq(tasks.id, taskId));
    return row;
  }

  async requireTask(taskId: string): Promise<TaskRow> {
    const task = await this.getTask(taskId);
    if (!task) throw new TaskActionError('That task no longer exists.', 'not_found');
    return task;
  }

  async getDiscussion(discussionId: string): Promise<DiscussionRow | undefined> {
    const [row] = await this.db.select().from(discussions).where(eq(discussions.id, discussionId));
    return row;
  }

  /** Saves an edit made from the modal, refusing it when the task changed since the modal opened. */
  async editTask(
    taskId: string,
    expectedVersion: number,
    fields: TaskFields,
    actor: string,
  ): Promise<TaskRow> {
    const before = await this.requireTask(taskId);
    // Asked before the transaction: it may ask Slack and read the channel's project, and PGlite
    // has one connection, which the transaction holds.
    const actorIsApprover = await this.permissions.isApprover(actor, before.channelId);
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
      if (!current) throw new TaskActionError('That task no longer exists.', 'not_found');
      if (current.version !== expectedVersion) {
        throw new TaskActionError(
          'Someone else changed this task while you were editing it. Nothing was saved: close this dialog and open Edit again to see the latest version.',
          'stale',
        );
      }
      const next = statusAfterEdit(current.status as TaskStatus);
      if (!next) {
        throw new TaskActionError(
          `This task is ${STATUS_WORDS[current.status as TaskStatus]} and can no longer be edited.`,
          'invalid_state',
        );
      }
      if (current.status === 'approved' && !actorIsApprover) throw approvedEditRefused();
      const [updated] = await tx
        .update(tasks)
        .set({
          ...fields,
          status: next,
          version: current.version + 1,
          approvedBy: null,
          approvedAt: null,
          rejectedBy: null,
          rejectedAt: null,
          lastEditedBy: actor,
          // Back to proposed: the next approval freezes the settings of that moment.
          projectSettings: null,
          updatedAt: new Date(),
        })
        .where(and(eq(tasks.id, taskId), eq(tasks.version, expectedVersion)))
        .returning();
      if (!updated)
        throw new TaskActionError('Someone else changed this task meanwhile; nothing was saved.', 'stale');
      await tx.insert(auditEvents).values({
        taskId,
        actor,
        action: 'edit',
        detail: { from: current.status, to: next, version: updated.version },
      });
      return updated;
    });
  }

  /**
   * An approved task is what an approver saw and signed off: only an approver may change it
   * (which sends it back for approval). Anyone else is refused rather than silently
   * withdrawing the approval.
   */
  async requireMayEdit(task: Pick<TaskRow, 'status' | 'channelId'>, actor: string): Promise<void> {
    if (task.status !== 'approved') return;
    if (await this.permissions.isApprover(actor, task.channelId)) return;
    throw approvedEditRefused();
  }

  /** Approves exactly the version the approver saw; any change since then refuses the click. */
  async approveTask(taskId: string, actor: string, expectedVersion: number): Promise<TaskRow> {
    const task = await this.requireTask(taskId);
    await guard(this.permissions.requireApprover(actor, 'approve', task.channelId));
    const frozen = await this.settingsToFreeze(task);
    return this.transition(taskId, actor, expectedVersion, 'approve', ['proposed'], {
      status: 'approved',
      projectSettings: frozen as Record<string, unknown> | null,
      approvedBy: actor,
      approvedAt: new Date(),
      rejectedBy: null,
      rejectedAt: null,
    });
  }

  async rejectTask(taskId: string, actor: string, expectedVersion: number): Promise<TaskRow> {
    const task = await this.requireTask(taskId);
    await guard(this.permissions.requireApprover(actor, 'reject', task.channelId));
    return this.transition(taskId, actor, expectedVersion, 'reject', ['proposed', 'approved'], {
      status: 'rejected',
      projectSettings: null,
      rejectedBy: actor,
      rejectedAt: new Date(),
      approvedBy: null,
      approvedAt: null,
    });
  }

  /**
   * The channel's settings as they are now, to be frozen on the task by the approval. A task whose
   * repository the channel no longer offers is refused: approving it would ship to a repository
   * the project's owners took off the list.
   */
  private async settingsToFreeze(task: TaskRow): Promise<ResolvedSettings | null> {
    if (!this.settings) return null;
    const current = await this.settings.forChannel(task.channelId);
    if (!current.repos.includes(task.repo)) {
      throw new TaskActionError(
        `This task's repository ${task.repo} is no longer one of this channel's repositories (${current.repos.slice(0, 5).join(', ')}). Edit the task to pick one, then approve it.`,
        'invalid_state',
      );
    }
    return current;
  }

  /** The task's most recent run with its steps, in one statement. */
  async latestRun(taskId: string): Promise<RunWithSteps | undefined> {
    if (!isUuid(taskId)) return undefined;
    const latest = this.db
      .select({ id: runs.id })
      .from(runs)
      .where(eq(runs.taskId, taskId))
      .orderBy(desc(runs.createdAt))
      .limit(1);
    const rows = await this.db
      .select({ run: runs, step: steps })
      .from(runs)
      .leftJoin(steps, eq(steps.runId, runs.id))
      .where(inArray(runs.id, latest))
      .orderBy(asc(steps.position));
    const first = rows[0];
    if (!first) return undefined;
    return { run: first.run, steps: rows.flatMap((r) => (r.step ? [r.step] : [])) };
  }

  /** A task with the discussion it came from, in one statement (what a card shows). */
  async taskWithDiscussion(
    taskId: string,
  ): Promise<{ task: TaskRow; discussion: DiscussionRow } | undefined> {
    if (!isUuid(taskId)) return undefined;
    const [row] = await this.db
      .select({ task: tasks, discussion: discussions })
      .from(tasks)
      .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
      .where(eq(tasks.id, taskId));
    return row;
  }

  private async transition(
    taskId: string,
    actor: string,
    expectedVersion: number,
    action: 'approve' | 'reject',
    from: TaskStatus[],
    set: Partial<typeof tasks.$inferInsert>,
  ): Promise<TaskRow> {
    requireTaskId(taskId);
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
      if (!current) throw new TaskActionError('That task no longer exists.', 'not_found');
      requireVersion(current, expectedVersion);
      if (!from.includes(current.status as TaskStatus)) {
        throw new TaskActionError(
          `This task is ${STATUS_WORDS[current.status as TaskStatus]}, so it cannot be ${action === 'approve' ? 'approved' : 'rejected'} now.`,
          'invalid_state',
        );
      }
      if (action === 'approve') {
        const [origin] = await tx
          .select({ requestedBy: discussions.requestedBy })
          .from(discussions)
          .where(eq(discussions.id, current.discussionId));
        // The approver check ran before the transaction (it may ask Slack); this one is pure.
        await guard(
          Promise.resolve().then(() =>
            this.permissions.requireNotSelf(actor, {
              requestedBy: origin?.requestedBy ?? '',
              lastEditedBy: current.lastEditedBy,
            }),
          ),
        );
      }
      // The version in the WHERE too: nothing changes unless the row is still the one approved.
      const [updated] = await tx
        .update(tasks)
        .set({ ...set, version: current.version + 1, updatedAt: new Date() })
        .where(and(eq(tasks.id, taskId), eq(tasks.version, expectedVersion)))
        .returning();
      if (!updated) throw new TaskActionError(STALE_CARD_MESSAGE, 'stale');
      await tx
        .insert(auditEvents)
        .values({ taskId, actor, action, detail: { from: current.status, version: expectedVersion } });
      return updated;
    });
  }
}

function approvedEditRefused(): TaskActionError {
  return new TaskActionError(
    'This task is approved, so only an approver can change it now. Ask an approver to edit it, or to reject it so it can be proposed again.',
    'forbidden',
  );
}

/** A malformed id cannot name a task: answer not_found without asking the database. */
function requireTaskId(taskId: string): void {
  if (!isUuid(taskId)) throw new TaskActionError('That task no longer exists.', 'not_found');
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
