/**
 * The poll, for installations GitHub cannot reach (no public URL): for the repositories the bot
 * has tasks in, it reads the issues the ticket step created and the pull requests tied to tasks,
 * and synthesises the same normalised events a webhook would bring. Their dedupe keys are the
 * webhook's, so a change already brought by a webhook acts zero more times. Transitions that
 * GitHub's objects do not date (reopened, labels, assignees, ready for review, a new head) are
 * found by comparing with the state the intake stored last.
 */
import type { Octokit } from '@octokit/rest';
import { and, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { runs, steps, type TaskGithubLinkRow, taskGithubLinks, tasks } from '../../db/schema.js';
import { closingIssueNumbers, shortIdFromBranch } from '../domain/github-link.js';
import type { Logger } from '../logger.js';
import { type EventBody, type GitHubEvent, type PullSnapshot, pullState, stamp } from './events.js';
import type { GitHubEventIntake } from './intake.js';
import { IssueSchema, PullSchema } from './payloads.js';

export interface PollerOptions {
  db: Db;
  github: Octokit;
  intake: GitHubEventIntake;
  logger: Logger;
  /** Tasks updated longer ago than this are no longer followed (default 30 days). */
  followDays?: number;
  /** Issues read per poll at most (default 100). */
  maxIssues?: number;
}

const PULLS_PER_REPO = 50;

export class GitHubPoller {
  private readonly followDays: number;
  private readonly maxIssues: number;

  constructor(private readonly options: PollerOptions) {
    this.followDays = options.followDays ?? 30;
    this.maxIssues = options.maxIssues ?? 100;
  }

  /** One pass; returns how many new events it dispatched. */
  async poll(): Promise<number> {
    const { db, intake } = this.options;
    const since = sql`now() - make_interval(days => ${this.followDays})`;
    const issues = await db
      .selectDistinct({ repo: tasks.repo, number: sql<string>`${steps.output}->>'number'` })
      .from(steps)
      .innerJoin(runs, eq(runs.id, steps.runId))
      .innerJoin(tasks, eq(tasks.id, runs.taskId))
      .where(
        and(
          eq(steps.agent, 'ticket'),
          eq(steps.status, 'succeeded'),
          isNotNull(sql`${steps.output}->>'number'`),
          sql`${steps.output}->>'repo' = ${tasks.repo}`,
          gt(tasks.updatedAt, since),
        ),
      )
      .limit(this.maxIssues);
    const tracked = issues
      .map((r) => ({ repo: r.repo, number: Number(r.number) }))
      .filter((r) => Number.isInteger(r.number) && r.number > 0);
    const repos = [...new Set(tracked.map((t) => t.repo))];
    const links = repos.length
      ? await db.select().from(taskGithubLinks).where(inArray(taskGithubLinks.repo, repos))
      : [];
    const linkOf = (repo: string, n: number) => links.find((l) => l.repo === repo && l.number === n);

    let dispatched = 0;
    const accept = async (bodies: EventBody[]) => {
      const events: GitHubEvent[] = bodies.map((b) => stamp(b, 'poll', null));
      dispatched += (await intake.accept(events)).dispatched;
    };

    for (const { repo, number } of tracked) {
      try {
        await accept(await this.issueEvents(repo, number, linkOf(repo, number)));
      } catch (err) {
        this.options.logger.warn({ err, repo, number }, 'poll: could not read an issue');
      }
    }
    for (const repo of repos) {
      const numbers = new Set(tracked.filter((t) => t.repo === repo).map((t) => t.number));
      try {
        await accept(await this.pullEvents(repo, numbers, (n) => linkOf(repo, n)));
      } catch (err) {
        this.options.logger.warn({ err, repo }, 'poll: could not list pull requests');
      }
    }
    return dispatched;
  }

  private async issueEvents(
    repo: string,
    number: number,
    link: TaskGithubLinkRow | undefined,
  ): Promise<EventBody[]> {
    const [owner, name] = repo.split('/') as [string, string];
    const { data } = await this.options.github.issues.get({ owner, repo: name, issue_number: number });
    const issue = IssueSchema.parse(data);
    const common = { repo, number, issue, actor: null };
    const out: EventBody[] = [];
    if (issue.state === 'closed') out.push({ ...common, kind: 'issue.closed' });
    if (!link) return out;
    if (issue.state === 'open' && link.state === 'closed') out.push({ ...common, kind: 'issue.reopened' });
    for (const label of issue.labels.filter((l) => !link.labels.includes(l)))
      out.push({ ...common, kind: 'issue.labeled', label });
    for (const label of link.labels.filter((l) => !issue.labels.includes(l)))
      out.push({ ...common, kind: 'issue.unlabeled', label });
    for (const assignee of issue.assignees.filter((a) => !link.assignees.includes(a)))
      out.push({ ...common, kind: 'issue.assigned', assignee });
    return out;
  }

  /** The newest pull requests of a repo that are tied to a task: by link, branch or `Closes #n`. */
  private async pullEvents(
    repo: string,
    issueNumbers: Set<number>,
    linkOf: (n: number) => TaskGithubLinkRow | undefined,
  ): Promise<EventBody[]> {
    const [owner, name] = repo.split('/') as [string, string];
    const { data } = await this.options.github.pulls.list({
      owner,
      repo: name,
      state: 'all',
      sort: 'updated',
      direction: 'desc',
      per_page: PULLS_PER_REPO,
    });
    const out: EventBody[] = [];
    for (const raw of data) {
      const parsed = PullSchema.safeParse(raw);
      if (!parsed.success) continue;
      const pull: PullSnapshot = parsed.data;
      const link = linkOf(pull.number);
      const tied =
        link !== undefined ||
        shortIdFromBranch(pull.headRef) !== null ||
        closingIssueNumbers(pull.body, repo).some((n) => issueNumbers.has(n));
      if (!tied) continue;
      const common = { repo, number: pull.number, pull, actor: null };
      out.push({ ...common, kind: 'pull.opened' });
      if (pull.state === 'closed') out.push({ ...common, kind: 'pull.closed' });
      if (!link) continue;
      const now = pullState(pull);
      if (link.state === 'draft' && now === 'open') out.push({ ...common, kind: 'pull.ready_for_review' });
      if (pull.state === 'open' && link.headSha && pull.headSha && link.headSha !== pull.headSha)
        out.push({ ...common, kind: 'pull.synchronize' });
    }
    return out;
  }
}
