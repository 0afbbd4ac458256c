/**
 * The normalised GitHub events the intake hands to subscribers, whichever route they came by
 * (a signed webhook delivery or the poll). Pure: types and the dedupe key.
 *
 * The dedupe key is `<repo>#<number>:<kind>:<state-or-id>`. Its last part is something both routes
 * see the same way: an id (review, comment, run), a head SHA, or GitHub's own timestamp of the
 * state (`closed_at`, `created_at`; else `updated_at`). So the same delivery twice, a redelivery,
 * or the poll finding a change a webhook already brought, all produce one key and act once.
 */

export const GITHUB_EVENT_KINDS = [
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
  'issue_comment.created',
  'workflow_run.completed',
  'check_suite.completed',
] as const;
export type GitHubEventKind = (typeof GITHUB_EVENT_KINDS)[number];

export type EventSource = 'webhook' | 'poll';

/** An issue as an event sees it (after the change). */
export interface IssueSnapshot {
  number: number;
  title: string;
  url: string;
  state: 'open' | 'closed';
  /** GitHub's state_reason: completed, not_planned, reopened, or null. */
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  updatedAt: string;
  closedAt: string | null;
}

/** A pull request as an event sees it (after the change). */
export interface PullSnapshot {
  number: number;
  title: string;
  url: string;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  body: string;
  headRef: string;
  headSha: string | null;
  /** The commit a merge made on the base branch (absent from older events and some list answers). */
  mergeCommitSha?: string | null;
  baseRef: string;
  labels: string[];
  assignees: string[];
  requestedReviewers: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

interface Base {
  /** `<repo>#<number>:<kind>:<state-or-id>`, the same from either route. */
  key: string;
  repo: string;
  source: EventSource;
  /** `x-github-delivery` when it came by webhook. */
  deliveryId: string | null;
  /** Who caused it (the webhook's sender, or the poll's best knowledge); null when unknown. */
  actor: string | null;
}

export type GitHubEvent =
  | (Base & { kind: 'issue.closed' | 'issue.reopened'; number: number; issue: IssueSnapshot })
  | (Base & { kind: 'issue.assigned'; number: number; issue: IssueSnapshot; assignee: string })
  | (Base & {
      kind: 'issue.labeled' | 'issue.unlabeled';
      number: number;
      issue: IssueSnapshot;
      label: string;
    })
  | (Base & {
      kind: 'pull.opened' | 'pull.closed' | 'pull.ready_for_review' | 'pull.synchronize';
      number: number;
      pull: PullSnapshot;
    })
  | (Base & { kind: 'pull.review_requested'; number: number; pull: PullSnapshot; reviewer: string })
  | (Base & {
      kind: 'review.submitted';
      number: number;
      pull: PullSnapshot;
      review: { id: number; state: string; body: string; author: string; commitId: string | null };
    })
  | (Base & {
      kind: 'review_comment.created';
      number: number;
      pull: PullSnapshot;
      comment: {
        id: number;
        body: string;
        author: string;
        path: string;
        reviewId: number | null;
        inReplyTo: number | null;
      };
    })
  | (Base & {
      kind: 'issue_comment.created';
      number: number;
      /** The comment was made on a pull request's conversation. */
      onPull: boolean;
      comment: { id: number; body: string; author: string; url: string };
    })
  | (Base & {
      kind: 'workflow_run.completed';
      number: null;
      run: {
        id: number;
        attempt: number;
        name: string;
        headSha: string;
        headBranch: string | null;
        conclusion: string | null;
        url: string;
        pullNumbers: number[];
      };
    })
  | (Base & {
      kind: 'check_suite.completed';
      number: null;
      suite: {
        id: number;
        headSha: string;
        headBranch: string | null;
        conclusion: string | null;
        updatedAt: string;
        pullNumbers: number[];
      };
    });

/** An event before the route stamps where it came from. */
export type EventBody = GitHubEvent extends infer E
  ? E extends GitHubEvent
    ? Omit<E, 'key' | 'source' | 'deliveryId'>
    : never
  : never;

/** The dedupe key of an event (see the file comment). */
export function dedupeKey(e: EventBody): string {
  const at = e.number === null ? e.repo : `${e.repo}#${e.number}`;
  const tail = keyTail(e);
  return `${at}:${e.kind}:${tail}`;
}

function keyTail(e: EventBody): string {
  switch (e.kind) {
    case 'issue.closed':
      return e.issue.closedAt ?? e.issue.updatedAt;
    case 'issue.reopened':
      return e.issue.updatedAt;
    case 'issue.assigned':
      return `${e.assignee}:${e.issue.updatedAt}`;
    case 'issue.labeled':
    case 'issue.unlabeled':
      return `${e.label}:${e.issue.updatedAt}`;
    case 'pull.opened':
      return e.pull.createdAt;
    case 'pull.closed':
      return `${e.pull.merged ? 'merged' : 'closed'}:${e.pull.closedAt ?? e.pull.updatedAt}`;
    case 'pull.ready_for_review':
      return e.pull.updatedAt;
    case 'pull.review_requested':
      return `${e.reviewer}:${e.pull.updatedAt}`;
    case 'pull.synchronize':
      return e.pull.headSha ?? e.pull.updatedAt;
    case 'review.submitted':
      return String(e.review.id);
    case 'review_comment.created':
    case 'issue_comment.created':
      return String(e.comment.id);
    case 'workflow_run.completed':
      return `${e.run.id}:${e.run.attempt}`;
    case 'check_suite.completed':
      return `${e.suite.id}:${e.suite.updatedAt}`;
  }
}

/** Stamps an event with its key and route. */
export function stamp(body: EventBody, source: EventSource, deliveryId: string | null): GitHubEvent {
  return { ...body, key: dedupeKey(body), source, deliveryId } as GitHubEvent;
}

/** What the card shows of a pull request. */
export type PullState = 'open' | 'draft' | 'merged' | 'closed';

export function pullState(p: Pick<PullSnapshot, 'state' | 'draft' | 'merged'>): PullState {
  if (p.merged) return 'merged';
  if (p.state === 'closed') return 'closed';
  return p.draft ? 'draft' : 'open';
}
