/**
 * Webhook payloads (and the REST objects the poll reads, which have the same shapes) validated
 * with zod and turned into normalised events. Only the fields the bot uses are read; anything
 * else in a payload is ignored, and a payload that does not fit is dropped, never half-read.
 */
import { z } from 'zod';
import type { EventBody, IssueSnapshot, PullSnapshot } from './events.js';

/** GitHub's timestamps in one form (webhooks and REST may differ in milliseconds). */
const time = z.string().transform((s, ctx) => {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'not a timestamp' });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});
const login = z.object({ login: z.string() });
const names = z
  .array(z.object({ name: z.string() }))
  .nullish()
  .transform((l) => (l ?? []).map((x) => x.name));
const logins = z
  .array(login)
  .nullish()
  .transform((l) => (l ?? []).map((x) => x.login));

export const RepositorySchema = z.object({ full_name: z.string() });

export const IssueSchema = z
  .object({
    number: z.number().int(),
    title: z.string(),
    html_url: z.string(),
    state: z.enum(['open', 'closed']),
    state_reason: z.string().nullish(),
    labels: names,
    assignees: logins,
    updated_at: time,
    closed_at: time.nullish(),
    pull_request: z.unknown().optional(),
  })
  .transform((i): IssueSnapshot & { isPull: boolean } => ({
    number: i.number,
    title: i.title,
    url: i.html_url,
    state: i.state,
    stateReason: i.state_reason ?? null,
    labels: i.labels,
    assignees: i.assignees,
    updatedAt: i.updated_at,
    closedAt: i.closed_at ?? null,
    isPull: i.pull_request !== undefined && i.pull_request !== null,
  }));

export const PullSchema = z
  .object({
    number: z.number().int(),
    title: z.string(),
    html_url: z.string(),
    state: z.enum(['open', 'closed']),
    draft: z.boolean().nullish(),
    merged: z.boolean().nullish(),
    merged_at: time.nullish(),
    body: z.string().nullish(),
    head: z.object({ ref: z.string(), sha: z.string().nullish() }),
    merge_commit_sha: z.string().nullish(),
    base: z.object({ ref: z.string() }),
    labels: names,
    assignees: logins,
    requested_reviewers: z
      .array(z.object({ login: z.string() }).or(z.object({ name: z.string() })))
      .nullish()
      .transform((l) => (l ?? []).map((r) => ('login' in r ? r.login : r.name))),
    created_at: time,
    updated_at: time,
    closed_at: time.nullish(),
  })
  .transform(
    (p): PullSnapshot => ({
      number: p.number,
      title: p.title,
      url: p.html_url,
      state: p.state,
      draft: p.draft ?? false,
      // pulls.list does not carry `merged`; merged_at says it.
      merged: p.merged ?? (p.merged_at !== null && p.merged_at !== undefined),
      body: p.body ?? '',
      headRef: p.head.ref,
      headSha: p.head.sha ?? null,
      mergeCommitSha: p.merge_commit_sha ?? null,
      baseRef: p.base.ref,
      labels: p.labels,
      assignees: p.assignees,
      requestedReviewers: p.requested_reviewers,
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      closedAt: p.closed_at ?? null,
    }),
  );

const sender = z.object({ sender: login.nullish() });
const base = z.object({ repository: RepositorySchema }).and(sender);

const IssuesPayload = z
  .object({
    action: z.string(),
    issue: IssueSchema,
    assignee: login.nullish(),
    label: z.object({ name: z.string() }).nullish(),
  })
  .and(base);

const PullPayload = z
  .object({
    action: z.string(),
    pull_request: PullSchema,
    requested_reviewer: login.nullish(),
    requested_team: z.object({ name: z.string() }).nullish(),
  })
  .and(base);

const ReviewPayload = z
  .object({
    action: z.string(),
    pull_request: PullSchema,
    review: z.object({
      id: z.number().int(),
      state: z.string(),
      body: z.string().nullish(),
      user: login,
      commit_id: z.string().nullish(),
    }),
  })
  .and(base);

const ReviewCommentPayload = z
  .object({
    action: z.string(),
    pull_request: PullSchema,
    comment: z.object({
      id: z.number().int(),
      body: z.string(),
      user: login,
      path: z.string(),
      pull_request_review_id: z.number().int().nullish(),
      in_reply_to_id: z.number().int().nullish(),
    }),
  })
  .and(base);

const IssueCommentPayload = z
  .object({
    action: z.string(),
    issue: IssueSchema,
    comment: z.object({ id: z.number().int(), body: z.string(), user: login, html_url: z.string() }),
  })
  .and(base);

const pullNumbers = z
  .array(z.object({ number: z.number().int() }))
  .nullish()
  .transform((l) => (l ?? []).map((p) => p.number));

const WorkflowRunPayload = z
  .object({
    action: z.string(),
    workflow_run: z.object({
      id: z.number().int(),
      run_attempt: z.number().int().nullish(),
      name: z.string().nullish(),
      head_sha: z.string(),
      head_branch: z.string().nullish(),
      conclusion: z.string().nullish(),
      html_url: z.string(),
      pull_requests: pullNumbers,
    }),
  })
  .and(base);

const CheckSuitePayload = z
  .object({
    action: z.string(),
    check_suite: z.object({
      id: z.number().int(),
      head_sha: z.string(),
      head_branch: z.string().nullish(),
      conclusion: z.string().nullish(),
      updated_at: time,
      pull_requests: pullNumbers,
    }),
  })
  .and(base);

/** Why a delivery produced no event: not an event we follow, or a payload that does not fit. */
export type NormaliseResult = { events: EventBody[] } | { ignored: string };

/** A webhook delivery (`x-github-event` and the parsed body) → normalised events. */
export function normaliseWebhook(eventName: string, payload: unknown): NormaliseResult {
  const parsers: Record<string, (p: unknown) => EventBody[] | string> = {
    issues: fromIssues,
    pull_request: fromPull,
    pull_request_review: fromReview,
    pull_request_review_comment: fromReviewComment,
    issue_comment: fromIssueComment,
    workflow_run: fromWorkflowRun,
    check_suite: fromCheckSuite,
  };
  const parse = parsers[eventName];
  if (!parse) return { ignored: `event ${eventName} is not followed` };
  const out = parse(payload);
  return typeof out === 'string' ? { ignored: out } : { events: out };
}

function invalid(event: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `${event} payload does not fit: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim();
}

function fromIssues(payload: unknown): EventBody[] | string {
  const p = IssuesPayload.safeParse(payload);
  if (!p.success) return invalid('issues', p.error);
  const { action, issue, repository } = p.data;
  const common = {
    repo: repository.full_name,
    number: issue.number,
    issue,
    actor: p.data.sender?.login ?? null,
  };
  switch (action) {
    case 'closed':
      return [{ ...common, kind: 'issue.closed' }];
    case 'reopened':
      return [{ ...common, kind: 'issue.reopened' }];
    case 'assigned':
      return p.data.assignee ? [{ ...common, kind: 'issue.assigned', assignee: p.data.assignee.login }] : [];
    case 'labeled':
    case 'unlabeled':
      return p.data.label ? [{ ...common, kind: `issue.${action}`, label: p.data.label.name }] : [];
    default:
      return `issues.${action} is not followed`;
  }
}

function fromPull(payload: unknown): EventBody[] | string {
  const p = PullPayload.safeParse(payload);
  if (!p.success) return invalid('pull_request', p.error);
  const { action, pull_request: pull, repository } = p.data;
  const common = {
    repo: repository.full_name,
    number: pull.number,
    pull,
    actor: p.data.sender?.login ?? null,
  };
  switch (action) {
    case 'opened':
    case 'closed':
    case 'ready_for_review':
    case 'synchronize':
      return [{ ...common, kind: `pull.${action}` }];
    case 'review_requested': {
      const reviewer = p.data.requested_reviewer?.login ?? p.data.requested_team?.name;
      return reviewer ? [{ ...common, kind: 'pull.review_requested', reviewer }] : [];
    }
    default:
      return `pull_request.${action} is not followed`;
  }
}

function fromReview(payload: unknown): EventBody[] | string {
  const p = ReviewPayload.safeParse(payload);
  if (!p.success) return invalid('pull_request_review', p.error);
  if (p.data.action !== 'submitted') return `pull_request_review.${p.data.action} is not followed`;
  const { review, pull_request: pull } = p.data;
  return [
    {
      kind: 'review.submitted',
      repo: p.data.repository.full_name,
      number: pull.number,
      pull,
      actor: p.data.sender?.login ?? review.user.login,
      review: {
        id: review.id,
        state: review.state.toUpperCase(),
        body: review.body ?? '',
        author: review.user.login,
        commitId: review.commit_id ?? null,
      },
    },
  ];
}

function fromReviewComment(payload: unknown): EventBody[] | string {
  const p = ReviewCommentPayload.safeParse(payload);
  if (!p.success) return invalid('pull_request_review_comment', p.error);
  if (p.data.action !== 'created') return `pull_request_review_comment.${p.data.action} is not followed`;
  const { comment, pull_request: pull } = p.data;
  return [
    {
      kind: 'review_comment.created',
      repo: p.data.repository.full_name,
      number: pull.number,
      pull,
      actor: p.data.sender?.login ?? comment.user.login,
      comment: {
        id: comment.id,
        body: comment.body,
        author: comment.user.login,
        path: comment.path,
        reviewId: comment.pull_request_review_id ?? null,
        inReplyTo: comment.in_reply_to_id ?? null,
      },
    },
  ];
}

function fromIssueComment(payload: unknown): EventBody[] | string {
  const p = IssueCommentPayload.safeParse(payload);
  if (!p.success) return invalid('issue_comment', p.error);
  if (p.data.action !== 'created') return `issue_comment.${p.data.action} is not followed`;
  const { comment, issue } = p.data;
  return [
    {
      kind: 'issue_comment.created',
      repo: p.data.repository.full_name,
      number: issue.number,
      onPull: issue.isPull,
      actor: p.data.sender?.login ?? comment.user.login,
      comment: { id: comment.id, body: comment.body, author: comment.user.login, url: comment.html_url },
    },
  ];
}

function fromWorkflowRun(payload: unknown): EventBody[] | string {
  const p = WorkflowRunPayload.safeParse(payload);
  if (!p.success) return invalid('workflow_run', p.error);
  if (p.data.action !== 'completed') return `workflow_run.${p.data.action} is not followed`;
  const run = p.data.workflow_run;
  return [
    {
      kind: 'workflow_run.completed',
      repo: p.data.repository.full_name,
      number: null,
      actor: p.data.sender?.login ?? null,
      run: {
        id: run.id,
        attempt: run.run_attempt ?? 1,
        name: run.name ?? '',
        headSha: run.head_sha,
        headBranch: run.head_branch ?? null,
        conclusion: run.conclusion ?? null,
        url: run.html_url,
        pullNumbers: run.pull_requests,
      },
    },
  ];
}

function fromCheckSuite(payload: unknown): EventBody[] | string {
  const p = CheckSuitePayload.safeParse(payload);
  if (!p.success) return invalid('check_suite', p.error);
  if (p.data.action !== 'completed') return `check_suite.${p.data.action} is not followed`;
  const suite = p.data.check_suite;
  return [
    {
      kind: 'check_suite.completed',
      repo: p.data.repository.full_name,
      number: null,
      actor: p.data.sender?.login ?? null,
      suite: {
        id: suite.id,
        headSha: suite.head_sha,
        headBranch: suite.head_branch ?? null,
        conclusion: suite.conclusion ?? null,
        updatedAt: suite.updated_at,
        pullNumbers: suite.pull_requests,
      },
    },
  ];
}
