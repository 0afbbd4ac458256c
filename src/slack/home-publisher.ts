import type { WebClient } from '@slack/web-api';
import { count, desc, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { discussions, runs, steps, tasks } from '../../db/schema.js';
import { isApprover } from '../domain/permissions.js';
import type { Priority, TaskStatus } from '../domain/task.js';
import type { Logger } from '../logger.js';
import { buildHomeView } from './blocks/home.js';
import type { HomeModel } from './blocks/models.js';
import { toRunModel } from './card-model.js';

/** Builds a user's App Home from the database and publishes it. */
export class HomePublisher {
  constructor(
    private readonly db: Db,
    private readonly client: WebClient,
    private readonly approvers: readonly string[],
    private readonly logger: Logger,
  ) {}

  async publish(userId: string): Promise<void> {
    try {
      const view = buildHomeView(await this.model(userId));
      await this.client.views.publish({ user_id: userId, view });
    } catch (err) {
      this.logger.warn({ err, userId }, 'could not publish App Home');
    }
  }

  async model(userId: string): Promise<HomeModel> {
    const db = this.db;
    const recent = await db
      .select({ d: discussions, taskCount: count(tasks.id) })
      .from(discussions)
      .leftJoin(tasks, eq(tasks.discussionId, discussions.id))
      .where(eq(discussions.requestedBy, userId))
      .groupBy(discussions.id)
      .orderBy(desc(discussions.createdAt))
      .limit(10);

    const mine = await db
      .select({ t: tasks, permalink: discussions.permalink })
      .from(tasks)
      .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
      .where(
        or(eq(discussions.requestedBy, userId), eq(tasks.assignee, userId), eq(tasks.approvedBy, userId)),
      )
      .orderBy(desc(tasks.updatedAt))
      .limit(60);

    const runRows = await db
      .select({ run: runs, title: tasks.title })
      .from(runs)
      .innerJoin(tasks, eq(tasks.id, runs.taskId))
      .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
      .where(or(eq(runs.startedBy, userId), eq(discussions.requestedBy, userId)))
      .orderBy(desc(runs.createdAt))
      .limit(10);
    const stepRows =
      runRows.length === 0
        ? []
        : await db
            .select()
            .from(steps)
            .where(
              inArray(
                steps.runId,
                runRows.map((r) => r.run.id),
              ),
            )
            .orderBy(steps.position);

    const approver = isApprover(userId, this.approvers);
    const pending = approver
      ? await db
          .select({ t: tasks, permalink: discussions.permalink })
          .from(tasks)
          .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
          .where(eq(tasks.status, 'proposed'))
          .orderBy(desc(tasks.createdAt))
          .limit(20)
      : [];

    return {
      userId,
      isApprover: approver,
      approversConfigured: this.approvers.length > 0,
      discussions: recent.map(({ d, taskCount }) => ({
        id: d.id,
        createdAt: d.createdAt,
        permalink: d.permalink,
        channelId: d.channelId,
        messageCount: d.messageCount,
        taskCount: Number(taskCount),
        extractor: d.extractor,
      })),
      tasks: mine.map(({ t, permalink }) => ({
        id: t.id,
        title: t.title,
        status: t.status as TaskStatus,
        repo: t.repo,
        permalink,
      })),
      runs: runRows.map(({ run, title }) => ({
        taskTitle: title,
        run: toRunModel({ run, steps: stepRows.filter((s) => s.runId === run.id) }),
      })),
      pendingApprovals: pending.map(({ t, permalink }) => ({
        id: t.id,
        title: t.title,
        priority: t.priority as Priority,
        permalink,
      })),
    };
  }
}
