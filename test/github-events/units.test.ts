import { describe, expect, it } from 'vitest';
import {
  closingIssueNumbers,
  shortIdFromBranch,
  taskBranchName,
  taskShortId,
} from '../../src/domain/github-link.js';
import { dedupeKey, pullState, stamp } from '../../src/github-events/events.js';
import { IssueSchema, normaliseWebhook, PullSchema } from '../../src/github-events/payloads.js';
import { githubStateBlock, githubStateText, MAX_PULLS_SHOWN } from '../../src/slack/blocks/github-state.js';
import type { GitHubLinkModel } from '../../src/slack/blocks/models.js';

const repository = { full_name: 'acme/web' };
const issue = {
  number: 12,
  title: 'Rate limit',
  html_url: 'https://github.com/acme/web/issues/12',
  state: 'closed',
  state_reason: 'completed',
  labels: [{ name: 'bug' }],
  assignees: [{ login: 'maya' }],
  updated_at: '2025-05-01T10:00:00Z',
  closed_at: '2025-05-01T10:00:00Z',
};
const pull = {
  number: 14,
  title: 'Rate limit',
  html_url: 'https://github.com/acme/web/pull/14',
  state: 'open',
  draft: true,
  merged: false,
  merged_at: null,
  body: 'Closes #12',
  head: { ref: 'orchestrator/7f1c2a9e-rate-limit', sha: 'abc' },
  base: { ref: 'main' },
  labels: [],
  assignees: [],
  requested_reviewers: [{ login: 'rev' }],
  created_at: '2025-05-01T09:00:00Z',
  updated_at: '2025-05-01T09:30:00Z',
  closed_at: null,
};

describe('webhook payloads → normalised events', () => {
  it('an issue closed by webhook and the same issue read by the poll get one dedupe key', () => {
    const hook = normaliseWebhook('issues', {
      action: 'closed',
      issue,
      repository,
      sender: { login: 'maya' },
    });
    expect('events' in hook && hook.events).toHaveLength(1);
    if (!('events' in hook)) throw new Error('no events');
    const viaHook = stamp(hook.events[0]!, 'webhook', 'guid-1');
    // The REST object carries milliseconds; the key must not care.
    const polled = IssueSchema.parse({ ...issue, closed_at: '2025-05-01T10:00:00.000Z' });
    const viaPoll = stamp(
      { kind: 'issue.closed', repo: 'acme/web', number: 12, issue: polled, actor: null },
      'poll',
      null,
    );
    expect(viaHook.key).toBe('acme/web#12:issue.closed:2025-05-01T10:00:00.000Z');
    expect(viaPoll.key).toBe(viaHook.key);
    expect(viaHook).toMatchObject({ source: 'webhook', deliveryId: 'guid-1', actor: 'maya' });
  });

  it('reads each followed event and names the ones it ignores', () => {
    const kinds = (name: string, payload: Record<string, unknown>) => {
      const r = normaliseWebhook(name, { ...payload, repository });
      return 'events' in r ? r.events.map((e) => e.kind) : r.ignored;
    };
    expect(kinds('pull_request', { action: 'opened', pull_request: pull })).toEqual(['pull.opened']);
    expect(
      kinds('pull_request', {
        action: 'review_requested',
        pull_request: pull,
        requested_reviewer: { login: 'rev' },
      }),
    ).toEqual(['pull.review_requested']);
    expect(kinds('issues', { action: 'labeled', issue, label: { name: 'bug' } })).toEqual(['issue.labeled']);
    expect(
      kinds('pull_request_review', {
        action: 'submitted',
        pull_request: pull,
        review: { id: 5, state: 'changes_requested', body: 'no', user: { login: 'rev' }, commit_id: 'abc' },
      }),
    ).toEqual(['review.submitted']);
    expect(
      kinds('issue_comment', {
        action: 'created',
        issue: { ...issue, pull_request: {} },
        comment: { id: 9, body: 'hi', user: { login: 'a' }, html_url: 'https://x' },
      }),
    ).toEqual(['issue_comment.created']);
    expect(
      kinds('workflow_run', {
        action: 'completed',
        workflow_run: {
          id: 1,
          run_attempt: 2,
          name: 'CI',
          head_sha: 'abc',
          head_branch: 'b',
          conclusion: 'failure',
          html_url: 'https://x',
          pull_requests: [{ number: 14 }],
        },
      }),
    ).toEqual(['workflow_run.completed']);
    expect(
      kinds('check_suite', {
        action: 'completed',
        check_suite: {
          id: 3,
          head_sha: 'abc',
          conclusion: 'success',
          updated_at: '2025-05-01T09:00:00Z',
          pull_requests: [],
        },
      }),
    ).toEqual(['check_suite.completed']);
    expect(kinds('push', {})).toMatch(/not followed/);
    expect(kinds('issues', { action: 'edited', issue })).toMatch(/not followed/);
    // A payload that does not fit is dropped with the reason, never half-read.
    expect(kinds('issues', { action: 'closed', issue: { number: 'x' } })).toMatch(/does not fit/);
  });

  it('keys a review, a comment and a head by their ids, and a merge apart from a close', () => {
    const p = PullSchema.parse(pull);
    const base = { repo: 'acme/web', number: 14, pull: p, actor: null };
    expect(dedupeKey({ ...base, kind: 'pull.synchronize' })).toBe('acme/web#14:pull.synchronize:abc');
    const merged = PullSchema.parse({
      ...pull,
      state: 'closed',
      merged: true,
      closed_at: '2025-05-02T00:00:00Z',
    });
    const closed = PullSchema.parse({
      ...pull,
      state: 'closed',
      merged: false,
      closed_at: '2025-05-02T00:00:00Z',
    });
    expect(dedupeKey({ ...base, kind: 'pull.closed', pull: merged })).not.toBe(
      dedupeKey({ ...base, kind: 'pull.closed', pull: closed }),
    );
    // pulls.list has no `merged`: merged_at says it.
    const { merged: _m, ...listed } = { ...pull, state: 'closed', merged_at: '2025-05-02T00:00:00Z' };
    expect(pullState(PullSchema.parse(listed))).toBe('merged');
    expect(pullState(p)).toBe('draft');
  });
});

describe('tying a PR to a task', () => {
  it('reads closing keywords for this repo only', () => {
    expect(
      closingIssueNumbers(
        'Closes #12, fixes acme/web#13 and resolves https://github.com/acme/web/issues/14',
        'acme/web',
      ),
    ).toEqual([12, 13, 14]);
    expect(closingIssueNumbers('closes other/repo#12; see #13; closing #14', 'acme/web')).toEqual([]);
  });

  it('names and reads the code agent branch', () => {
    const id = '7f1c2a9e-0d1b-4c55-9a43-2f1f0b7c9e11';
    expect(taskShortId(id)).toBe('7f1c2a9e');
    const branch = taskBranchName(id, 'Rate-limit the Login endpoint!');
    expect(branch).toBe('orchestrator/7f1c2a9e-rate-limit-the-login-endpoint');
    expect(shortIdFromBranch(branch)).toBe('7f1c2a9e');
    expect(shortIdFromBranch('feature/7f1c2a9e')).toBeNull();
    expect(shortIdFromBranch('orchestrator/xyz')).toBeNull();
  });
});

describe('GitHub state on the card and App Home', () => {
  const issueLink: GitHubLinkModel = {
    kind: 'issue',
    number: 12,
    state: 'closed',
    url: 'https://github.com/acme/web/issues/12',
  };
  const pr = (number: number, state: string): GitHubLinkModel => ({
    kind: 'pull',
    number,
    state,
    url: `https://github.com/acme/web/pull/${number}`,
  });

  it('says the issue is closed and each PR state, linked', () => {
    expect(githubStateText([issueLink])).toBe('<https://github.com/acme/web/issues/12|Issue #12> ✅ closed');
    const text = githubStateText([pr(14, 'draft'), issueLink, pr(15, 'merged')]);
    expect(text.indexOf('Issue #12')).toBeLessThan(text.indexOf('PR #15'));
    expect(text).toContain('PR #15> 🟣 merged');
    expect(text).toContain('PR #14> 📝 draft');
    expect(githubStateText([pr(1, 'open')])).toContain('🟢 open');
    expect(githubStateText([pr(1, 'closed')])).toContain('🔴 closed');
  });

  it('caps the PRs shown and stays one context block within limits; nothing when there is no link', () => {
    const many = Array.from({ length: 10 }, (_, i) => pr(100 + i, 'closed'));
    const text = githubStateText(many);
    expect(text.match(/PR #/g)).toHaveLength(MAX_PULLS_SHOWN);
    expect(text).toContain(`…and ${10 - MAX_PULLS_SHOWN} more PRs`);
    const blocks = githubStateBlock(many);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.type).toBe('context');
    expect(JSON.stringify(blocks).length).toBeLessThan(3000);
    expect(githubStateBlock([])).toEqual([]);
  });

  it('never links a URL that is not http(s)', () => {
    expect(githubStateText([{ ...issueLink, url: 'javascript:alert(1)' }])).toBe('Issue #12 ✅ closed');
  });
});
