import type { WebClient } from '@slack/web-api';
import { and, count, desc, eq, inArray, max, or } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { discussions, runs, steps, taskGithubLinks, tasks } from '../../db/schema.js';
import type { Priority, TaskStatus } from '../domain/task.js';
import type { Logger } from '../logger.js';
import type { ProjectStore } from '../projects/project-store.js';
import type { PermissionService } from '../tasks/permission-service.js';
import { buildHomeView, HOME_CAPS } from './blocks/home.js';
import type { HomeModel } from './blocks/models.js';
import { toGitHubLinkModel, toRunModel } from './card-model.js';
import type { ChannelMembership } from './channel-membership.js';

/** Channels (with the newest waiting tasks) checked for the viewer's membership per App Home. */
const PENDING_CHANNELS = 50;

/** Builds a user's App Home from the database and publishes it. */
export class HomePublisher {
  constructor(
    private readonly db: Db,
    private readonly client: WebClient,
    private readonly permissions: PermissionService,
    private readonly logger: Logger,
    private readonly membership: ChannelMembership,
    private readonly projects?: ProjectStore,
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

    const linkRows =
      mine.length === 0
        ? []
        : await db
            .select()
            .from(taskGithubLinks)
            .where(
              inArray(
                taskGithubLinks.taskId,
                mine.map(({ t }) => t.id),
              ),
            );

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

    const approver = await this.permissions.isApprover(userId);
    const channels = approver ? await this.pendingChannelsOf(userId) : [];
    const pending =
      channels.length > 0
        ? await db
            .select({ t: tasks, permalink: discussions.permalink })
            .from(tasks)
            .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
            .where(and(eq(tasks.status, 'proposed'), inArray(tasks.channelId, channels)))
            .orderBy(desc(tasks.createdAt))
            .limit(20)
        : [];

    const projectList = this.projects ? await this.projects.list(HOME_CAPS.projects + 1) : undefined;
    return {
      ...(projectList
        ? {
            projects: {
              list: projectList.map((p) => ({
                id: p.id,
                name: p.name,
                channels: p.channels,
                defaultRepo: p.settings.defaultRepo,
              })),
              mayConfigure: await this.permissions.mayChangeSettings(userId),
            },
          }
        : {}),
      userId,
      isApprover: approver,
      approversConfigured: this.permissions.approversConfigured,
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
        github: linkRows.filter((l) => l.taskId === t.id).map(toGitHubLinkModel),
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

  /**
   * The channels with tasks waiting for approval that the viewer is a member of: App Home is
   * private to them, and a task's title and link must not reach someone who cannot see its
   * channel. A membership that cannot be checked counts as no.
   */
  private async pendingChannelsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .select({ channelId: tasks.channelId, newest: max(tasks.createdAt) })
      .from(tasks)
      .where(eq(tasks.status, 'proposed'))
      .groupBy(tasks.channelId)
      .orderBy(desc(max(tasks.createdAt)))
      .limit(PENDING_CHANNELS);
    const visible = await Promise.all(
      rows.map(async ({ channelId }) => {
        try {
          return (await this.membership.isMember(channelId, userId)) ? channelId : null;
        } catch (err) {
          this.logger.warn({ err, channel: channelId }, 'could not check channel membership for App Home');
          return null;
        }
      }),
    );
    return visible.filter((c): c is string => c !== null);
  }
}
