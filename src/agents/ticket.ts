import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { faultPoint } from '../testing/fault-points.js';
import { classifyError } from './error-classification.js';
import { buildIssueBody, issueMarker, issueTitle } from './issue-body.js';
import { type Agent, type AgentContext, AgentError, type TicketOutput } from './types.js';

/**
 * The `ticket` agent: opens one GitHub issue for a task. At most one issue per task, ever: the
 * body carries a hidden marker with the task id, and before creating we look for it (search
 * API, plus a direct listing of our recent issues because search is eventually consistent).
 * Without a GitHub client it makes a dry run: the issue that would be created, no HTTP.
 */

export interface TicketAgentOptions {
  /** null when GITHUB_TOKEN is not set: dry run. */
  github: Octokit | null;
  logger: Logger;
}

/** How many of our most recent issues the listing checks for the marker. */
const RECENT_ISSUES = 100;

/** The effects-ledger key of a task's issue (one per task, across runs). */
export { buildIssueBody, issueMarker, issueTitle };

export function ticketEffectKey(taskId: string): string {
  return `task:${taskId}:github_issue`;
}

const IssueSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullish(),
  pull_request: z.unknown().optional(),
});
type Issue = z.infer<typeof IssueSchema>;
const IssueListSchema = z.array(IssueSchema);
const SearchSchema = z.object({ items: z.array(IssueSchema) });
const UserSchema = z.object({ login: z.string() });

export function createTicketAgent(options: TicketAgentOptions): Agent {
  const { github } = options;
  // Our own login, looked up once when first needed: it narrows the listing to issues we created.
  // The value is cached, never a pending promise: a promise started for one step would carry that
  // step's AbortSignal into the next, and one nobody awaits ends the process when it rejects.
  let login: string | null | undefined;

  return {
    name: 'ticket',
    async run(ctx: AgentContext): Promise<TicketOutput> {
      const { task } = ctx;
      // The runner's logger already carries runId (a second binding would repeat the key).
      const log = ctx.logger.child({ agent: 'ticket', taskId: task.id });
      const title = issueTitle(task);
      const body = buildIssueBody(task);

      if (!github) {
        log.info({ repo: task.repo }, 'no GitHub token: dry run, no issue created');
        return { dryRun: true, repo: task.repo, number: null, url: null, title, body, reused: false };
      }

      const { owner, repo } = splitRepo(task.repo);
      const request = { signal: ctx.signal };
      // One issue per task, whatever the run: the ledger is keyed by task. No record at all means
      // no attempt ever started creating it, so the (throttled, slow) marker search is skipped.
      const effectKey = ticketEffectKey(task.id);
      const recorded = await ctx.effects?.get(effectKey);
      if (recorded?.status === 'done' && recorded.detail) {
        log.info({ issue: recorded.externalId }, 'issue already recorded for this task: reusing it');
        return recorded.detail as TicketOutput;
      }
      const mayExist = !ctx.effects || recorded !== null;
      await ctx.effects?.begin(effectKey, 'github_issue');
      try {
        const marker = issueMarker(task.id);
        let existing: Issue | null = null;
        if (mayExist) {
          // A failed look-up is not cached: the next attempt asks again.
          if (login === undefined) login = await ownLogin(github, request, options.logger);
          existing = await findExisting(github, { owner, repo, marker, creator: login, request });
        }
        if (existing) {
          log.info({ number: existing.number }, 'issue for this task already exists: reusing it');
          const reused = output(task.repo, existing, true);
          await ctx.effects?.complete(effectKey, existing.html_url, reused);
          return reused;
        }
        faultPoint('ticket:before-effect');
        const created = await createIssue(
          github,
          { owner, repo, title, body, labels: task.labels, request },
          log,
        );
        log.info({ number: created.number, url: created.html_url }, 'issue created');
        const made = output(task.repo, created, false);
        faultPoint('ticket:after-effect');
        await ctx.effects?.complete(effectKey, created.html_url, made);
        faultPoint('ticket:after-ledger');
        return made;
      } catch (err) {
        throw classifyError(err, `Creating the GitHub issue in ${task.repo}`);
      }
    },
  };
}

function output(repo: string, issue: Issue, reused: boolean): TicketOutput {
  return {
    dryRun: false,
    repo,
    number: issue.number,
    url: issue.html_url,
    title: issue.title,
    body: null,
    reused,
  };
}

function splitRepo(full: string): { owner: string; repo: string } {
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(full);
  if (!match?.[1] || !match[2]) {
    throw new AgentError(`Task repo "${full}" is not of the form owner/repo`, 'permanent');
  }
  return { owner: match[1], repo: match[2] };
}

type RequestOptions = { signal: AbortSignal };

/**
 * `GET /user`. Installation tokens of GitHub Apps cannot call it (403/404): then we list
 * recent issues of every creator, which still finds ours, only less precisely.
 */
async function ownLogin(github: Octokit, request: RequestOptions, logger: Logger): Promise<string | null> {
  try {
    const res = await github.rest.users.getAuthenticated({ request });
    return UserSchema.parse(res.data).login;
  } catch (err) {
    const status = typeof err === 'object' && err !== null && 'status' in err ? err.status : undefined;
    if (status === 403 || status === 404) {
      logger.info({ status }, 'GET /user not allowed for this token; listing issues of every creator');
      return null;
    }
    throw err;
  }
}

async function findExisting(
  github: Octokit,
  args: { owner: string; repo: string; marker: string; creator: string | null; request: RequestOptions },
): Promise<Issue | null> {
  const { owner, repo, marker, creator, request } = args;
  const carriesMarker = (issue: Issue) =>
    issue.pull_request === undefined && (issue.body ?? '').includes(marker);

  // Consistent read first: an issue created seconds ago is here even when search has not indexed it.
  const listed = await github.rest.issues.listForRepo({
    owner,
    repo,
    state: 'all',
    sort: 'created',
    direction: 'desc',
    per_page: RECENT_ISSUES,
    ...(creator ? { creator } : {}),
    request,
  });
  const recent = IssueListSchema.parse(listed.data).find(carriesMarker);
  if (recent) return recent;

  // Older issues: search the marker text (the comment's inner text; search ignores the <!-- -->).
  const markerText = marker.replace(/^<!--\s*|\s*-->$/g, '');
  const found = await github.rest.search.issuesAndPullRequests({
    q: `"${markerText}" in:body repo:${owner}/${repo} is:issue`,
    per_page: 10,
    request,
  });
  // Search matches words loosely; only an exact marker counts.
  return SearchSchema.parse(found.data).items.find(carriesMarker) ?? null;
}

async function createIssue(
  github: Octokit,
  args: {
    owner: string;
    repo: string;
    title: string;
    body: string;
    labels: string[];
    request: RequestOptions;
  },
  log: Logger,
): Promise<Issue> {
  const { owner, repo, title, body, labels, request } = args;
  try {
    const res = await github.rest.issues.create({ owner, repo, title, body, labels, request });
    return IssueSchema.parse(res.data);
  } catch (err) {
    // Labels the token may not create (or invalid names) must not cost the issue: retry without them.
    const status = typeof err === 'object' && err !== null && 'status' in err ? err.status : undefined;
    if (status !== 422 || labels.length === 0) throw err;
    log.warn({ labels }, 'GitHub rejected the labels (422); creating the issue without them');
    const res = await github.rest.issues.create({ owner, repo, title, body, request });
    return IssueSchema.parse(res.data);
  }
}
