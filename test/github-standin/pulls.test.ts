import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubStandIn, signWebhook, startGitHubStandIn } from '../support/github-standin.js';
import { octokitFor } from './client.js';
import { startReceiver } from './receiver.js';

/**
 * Pull requests, reviews, comments and webhooks through the real Octokit: a draft PR found by
 * head, review requests, reviews (own approval refused), review and issue comments, a merge
 * that writes a merge commit onto the base and closes the issue it names, 405 for a PR that
 * cannot merge, and every step delivered as a signed webhook (with redelivery of one id).
 */

const owner = 'acme';
const repo = 'web';
const SECRET = 'It\u2019s a Secret to Everybody';

let gh: GitHubStandIn;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  gh = await startGitHubStandIn({ repos: ['acme/web'] });
  receiver = await startReceiver(SECRET);
  gh.webhooks.configure({ url: receiver.url, secret: SECRET });
  gh.commitFiles('acme/web', { 'README.md': 'hello\n', 'src/a.ts': 'a\n' }, { message: 'init\n' });
});
afterAll(async () => {
  await gh.close();
  await receiver.close();
});

describe('signatures', () => {
  it("matches GitHub's documented test vector", () => {
    expect(signWebhook("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });
});

describe('pull request lifecycle', () => {
  it('draft PR → reviewers → reviews → comments → merge, with webhooks', async () => {
    const bot = octokitFor(gh);
    const reviewer = octokitFor(gh, gh.tokenFor('rita', 'acme/web', 'write'));
    const reader = gh.tokenFor('rex', 'acme/web', 'read');
    const issue = await bot.issues.create({ owner, repo, title: 'Add b' });

    gh.commitFiles(
      'acme/web',
      { 'src/b.ts': 'b\n' },
      { branch: 'orchestrator/abc-add-b', login: 'orchestrator-bot' },
    );
    const { data: pr } = await bot.pulls.create({
      owner,
      repo,
      title: 'Add b',
      head: 'orchestrator/abc-add-b',
      base: 'main',
      body: `Closes #${issue.data.number}`,
      draft: true,
    });
    expect(pr).toMatchObject({
      draft: true,
      state: 'open',
      number: issue.data.number + 1,
      mergeable_state: 'draft',
    });
    await expect(
      bot.pulls.create({ owner, repo, title: 'again', head: 'orchestrator/abc-add-b', base: 'main' }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists'),
    });

    const byHead = await bot.pulls.list({ owner, repo, head: 'acme:orchestrator/abc-add-b', state: 'all' });
    expect(byHead.data.map((p) => p.number)).toEqual([pr.number]);
    expect((await bot.pulls.list({ owner, repo, head: 'acme:nope' })).data).toEqual([]);

    await bot.pulls.requestReviewers({ owner, repo, pull_number: pr.number, reviewers: ['rita'] });
    await expect(
      bot.pulls.requestReviewers({ owner, repo, pull_number: pr.number, reviewers: ['stranger'] }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      bot.pulls.createReview({ owner, repo, pull_number: pr.number, event: 'APPROVE' }),
    ).rejects.toMatchObject({ status: 422 });

    await reviewer.pulls.createReview({
      owner,
      repo,
      pull_number: pr.number,
      event: 'REQUEST_CHANGES',
      body: 'Please rename',
      comments: [{ path: 'src/b.ts', line: 1, body: 'call it c' }],
    });
    await octokitFor(gh, reader).issues.createComment({
      owner,
      repo,
      issue_number: pr.number,
      body: '@orchestrator-bot hi',
    });
    const reviews = await bot.pulls.listReviews({ owner, repo, pull_number: pr.number });
    expect(reviews.data.map((r) => [r.user?.login, r.state])).toEqual([['rita', 'CHANGES_REQUESTED']]);
    const comments = await bot.pulls.listReviewComments({ owner, repo, pull_number: pr.number });
    expect(comments.data.map((c) => c.body)).toEqual(['call it c']);
    const perm = await bot.repos.getCollaboratorPermissionLevel({ owner, repo, username: 'rex' });
    expect(perm.data.permission).toBe('read');

    await expect(bot.pulls.merge({ owner, repo, pull_number: pr.number })).rejects.toMatchObject({
      status: 405,
    });
    gh.setPull('acme/web', pr.number, { draft: false });
    const base = gh.sha('acme/web', 'main')!;
    const head = gh.sha('acme/web', 'orchestrator/abc-add-b')!;
    const merged = await bot.pulls.merge({ owner, repo, pull_number: pr.number, sha: head });
    const mergeCommit = await bot.git.getCommit({ owner, repo, commit_sha: merged.data.sha });
    expect(mergeCommit.data.parents.map((p) => p.sha)).toEqual([base, head]);
    expect(gh.sha('acme/web', 'main')).toBe(merged.data.sha);
    expect(gh.files('acme/web', 'main')).toEqual({
      'README.md': 'hello\n',
      'src/a.ts': 'a\n',
      'src/b.ts': 'b\n',
    });
    expect((await bot.pulls.get({ owner, repo, pull_number: pr.number })).data).toMatchObject({
      merged: true,
      state: 'closed',
      merge_commit_sha: merged.data.sha,
    });
    expect((await bot.issues.get({ owner, repo, issue_number: issue.data.number })).data.state).toBe(
      'closed',
    );

    await gh.webhooks.flush();
    const seen = receiver.received.map((r) => `${r.event}:${String(r.payload.action ?? '')}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'issues:opened',
        'pull_request:opened',
        'pull_request:review_requested',
        'pull_request_review:submitted',
        'pull_request_review_comment:created',
        'issue_comment:created',
        'pull_request:closed',
        'issues:closed',
      ]),
    );
    expect(receiver.received.every((r) => r.validSignature)).toBe(true);
    const closed = receiver.received.find((r) => r.event === 'pull_request' && r.payload.action === 'closed');
    expect(closed?.payload).toMatchObject({
      pull_request: { merged: true, number: pr.number },
      repository: { full_name: 'acme/web' },
      sender: { login: 'orchestrator-bot' },
    });

    const again = await gh.webhooks.redeliver(closed!.delivery);
    expect(again).toMatchObject({ id: closed!.delivery, redelivery: true, status: 204 });
    expect(receiver.received.filter((r) => r.delivery === closed!.delivery)).toHaveLength(2);
  });

  it('a conflicting PR is not mergeable (405), and a bad signature is refused by the receiver', async () => {
    const bot = octokitFor(gh);
    gh.commitFiles('acme/web', { 'README.md': 'ours\n' }, { branch: 'feature-x' });
    gh.commitFiles('acme/web', { 'README.md': 'theirs\n' }, { branch: 'main' });
    const { data: pr } = await bot.pulls.create({ owner, repo, title: 'X', head: 'feature-x', base: 'main' });
    expect((await bot.pulls.get({ owner, repo, pull_number: pr.number })).data.mergeable).toBe(false);
    await expect(bot.pulls.merge({ owner, repo, pull_number: pr.number })).rejects.toMatchObject({
      status: 405,
    });

    gh.webhooks.configure({ url: receiver.url, secret: SECRET, signWith: 'wrong' });
    const delivery = await gh.webhooks.deliver('ping', { zen: 'Keep it logically awesome.' });
    expect(delivery.status).toBe(401);
    gh.webhooks.configure({ url: receiver.url, secret: SECRET });
  });
});
