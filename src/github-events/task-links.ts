/**
 * The first subscriber: keeps each task's issue and pull requests, and their state, in
 * `task_github_links`, and asks for the task's card (and App Home) to be refreshed when it changed.
 * An issue is the task's when the task's ticket step created it; a PR when a link exists already,
 * when its branch is the code agent's branch for the task, or when its body closes the task's issue.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { runs, steps, type TaskGithubLinkRow, taskGithubLinks, tasks } from '../../db/schema.js';
import { closingIssueNumbers, shortIdFromBranch } from '../domain/github-link.js';
import type { Logger } from '../logger.js';
import {
  type GitHubEvent,
  type GitHubEventKind,
  type IssueSnapshot,
  type PullSnapshot,
  pullState,
} from './events.js';
import type { Subscription } from './intake.js';

export const LINK_EVENT_KINDS: readonly GitHubEventKind[] = [
  'issue.closed',
  'issue.reopened',
  'issue.assigned',
  'issue.labeled',
  'issue.unlabeled',
  'pull.opened',
  'pull.closed',
  'pull.ready_for_review',
  'pull.review_requested',
  'pull.synchronize',
  'review.submitted',
  'review_comment.created',
];

export class TaskLinkStore {
  constructor(private readonly db: Db) {}

  async forTask(taskId: string): Promise<TaskGithubLinkRow[]> {
    return this.db.select().from(taskGithubLinks).where(eq(taskGithubLinks.taskId, taskId));
  }

  async forTasks(taskIds: string[]): Promise<TaskGithubLinkRow[]> {
    if (taskIds.length === 0) return [];
    return this.db.select().from(taskGithubLinks).where(inArray(taskGithubLinks.taskId, taskIds));
  }

  async byNumber(repo: string, number: number): Promise<TaskGithubLinkRow | undefined> {
    const [row] = await this.db
      .select()
      .from(taskGithubLinks)
      .where(and(eq(taskGithubLinks.repo, repo), eq(taskGithubLinks.number, number)));
    return row;
  }

  /** The task whose ticket step created issue `number` in `repo`. */
  async taskOfIssue(repo: string, number: number): Promise<string | undefined> {
    const linked = await this.byNumber(repo, number);
    if (linked) return linked.taskId;
    const [row] = await this.db
      .select({ taskId: runs.taskId })
      .from(steps)
      .innerJoin(runs, eq(runs.id, steps.runId))
      .innerJoin(tasks, eq(tasks.id, runs.taskId))
      .where(
        and(
          eq(steps.agent, 'ticket'),
          eq(steps.status, 'succeeded'),
          sql`${steps.output}->>'repo' = ${repo}`,
          sql`${steps.output}->>'number' = ${String(number)}`,
          eq(tasks.repo, repo),
        ),
      )
      .limit(1);
    return row?.taskId;
  }

  /** The task a branch `orchestrator/<short-id>-…` in `repo` belongs to. */
  async taskOfBranch(repo: string, ref: string): Promise<string | undefined> {
    const short = shortIdFromBranch(ref);
    if (!short) return undefined;
    const matches = await this.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.repo, repo), sql`${tasks.id}::text like ${`${short}%`}`))
      .limit(2);
    // Two tasks sharing 8 hex digits in one repo: refuse to guess.
    return matches.length === 1 ? matches[0]?.id : undefined;
  }

  /**
   * Stores the state unless a newer one is stored already (events may arrive out of order).
   * Returns true when the row was written.
   */
  async record(link: {
    taskId: string;
    repo: string;
    number: number;
    kind: 'issue' | 'pull';
    state: string;
    title: string;
    url: string;
    headSha: string | null;
    labels: string[];
    assignees: string[];
    sourceUpdatedAt: Date;
  }): Promise<boolean> {
    const written = await this.db
      .insert(taskGithubLinks)
      .values(link)
      .onConflictDoUpdate({
        target: [taskGithubLinks.repo, taskGithubLinks.number],
        set: {
          state: link.state,
          title: link.title,
          url: link.url,
          headSha: link.headSha,
          labels: link.labels,
          assignees: link.assignees,
          sourceUpdatedAt: link.sourceUpdatedAt,
          updatedAt: sql`now()`,
        },
        setWhere: sql`${taskGithubLinks.sourceUpdatedAt} <= ${link.sourceUpdatedAt.toISOString()}::timestamptz`,
      })
      .returning({ id: taskGithubLinks.id });
    return written.length > 0;
  }
}

export interface TaskLinkSubscriberOptions {
  links: TaskLinkStore;
  logger: Logger;
  /** Called with the task whose link changed (refresh its card and App Home). */
  onChange: (taskId: string) => void;
}

/** The subscription that keeps links and asks for cards to be refreshed. */
export function taskLinkSubscriber({ links, logger, onChange }: TaskLinkSubscriberOptions): Subscription {
  const issueLink = async (repo: string, issue: IssueSnapshot) => {
    const taskId = await links.taskOfIssue(repo, issue.number);
    if (!taskId) return undefined;
    const changed = await links.record({
      taskId,
      repo,
      number: issue.number,
      kind: 'issue',
      state: issue.state,
      title: issue.title,
      url: issue.url,
      headSha: null,
      labels: issue.labels,
      assignees: issue.assignees,
      sourceUpdatedAt: new Date(issue.updatedAt),
    });
    return changed ? taskId : undefined;
  };

  const taskOfPull = async (repo: string, pull: PullSnapshot): Promise<string | undefined> => {
    const linked = await links.byNumber(repo, pull.number);
    if (linked) return linked.taskId;
    const byBranch = await links.taskOfBranch(repo, pull.headRef);
    if (byBranch) return byBranch;
    for (const n of closingIssueNumbers(pull.body, repo)) {
      const taskId = await links.taskOfIssue(repo, n);
      if (taskId) return taskId;
    }
    return undefined;
  };

  const pullLink = async (repo: string, pull: PullSnapshot) => {
    const taskId = await taskOfPull(repo, pull);
    if (!taskId) return undefined;
    const changed = await links.record({
      taskId,
      repo,
      number: pull.number,
      kind: 'pull',
      state: pullState(pull),
      title: pull.title,
      url: pull.url,
      headSha: pull.headSha,
      labels: pull.labels,
      assignees: pull.assignees,
      sourceUpdatedAt: new Date(pull.updatedAt),
    });
    return changed ? taskId : undefined;
  };

  return {
    name: 'task-links',
    kinds: LINK_EVENT_KINDS,
    async handle(event: GitHubEvent) {
      let taskId: string | undefined;
      if ('issue' in event) taskId = await issueLink(event.repo, event.issue);
      else if ('pull' in event) taskId = await pullLink(event.repo, event.pull);
      if (taskId) {
        logger.info({ taskId, key: event.key }, 'task link updated from GitHub');
        onChange(taskId);
      }
    },
  };
}
