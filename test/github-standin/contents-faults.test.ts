import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { octokitFor } from './client.js';
import { GitCli } from './git-cli.js';

/**
 * The contents API (create 201, update 200, a missing sha 422, a stale sha 409, directories),
 * branches and compare; and faults that work the same on every route: a status with
 * rate-limit headers, a RegExp or predicate matcher, counts, hangs, and the request record.
 */

const owner = 'acme';
const repo = 'web';
let gh: GitHubStandIn;

beforeAll(async () => {
  gh = await startGitHubStandIn({ repos: ['acme/web'] });
  gh.commitFiles('acme/web', { 'README.md': 'hello\n', 'docs/guide.md': 'guide\n' });
});
afterAll(() => gh.close());

describe('contents, branches, compare', () => {
  it('reads a file and a directory; creates, updates, refuses missing and stale shas', async () => {
    const octokit = octokitFor(gh);
    const cli = new GitCli();
    try {
      const file = await octokit.repos.getContent({ owner, repo, path: 'README.md' });
      if (Array.isArray(file.data) || file.data.type !== 'file') throw new Error('not a file');
      expect(Buffer.from(file.data.content, 'base64').toString()).toBe('hello\n');
      expect(file.data.sha).toBe(cli.hashBlob('hello\n'));
      const dir = await octokit.repos.getContent({ owner, repo, path: 'docs' });
      expect(Array.isArray(dir.data) && dir.data.map((e) => [e.name, e.type])).toEqual([
        ['guide.md', 'file'],
      ]);

      const put = (path: string, text: string, sha?: string) =>
        octokit.repos.createOrUpdateFileContents({
          owner,
          repo,
          path,
          message: `write ${path}`,
          content: Buffer.from(text).toString('base64'),
          ...(sha ? { sha } : {}),
        });
      expect((await put('src/new.ts', 'new\n')).status).toBe(201);
      await expect(put('README.md', 'v2\n')).rejects.toMatchObject({ status: 422 });
      await expect(put('README.md', 'v2\n', cli.hashBlob('stale\n'))).rejects.toMatchObject({ status: 409 });
      const updated = await put('README.md', 'v2\n', file.data.sha);
      expect(updated.status).toBe(200);
      expect(updated.data.content?.sha).toBe(cli.hashBlob('v2\n'));
      expect(gh.files('acme/web', 'main')['README.md']).toBe('v2\n');
      await expect(octokit.repos.getContent({ owner, repo, path: 'nope.md' })).rejects.toMatchObject({
        status: 404,
      });
    } finally {
      cli.remove();
    }
  });

  it('branches and compare (ahead, diverged, files)', async () => {
    const octokit = octokitFor(gh);
    gh.commitFiles('acme/web', { 'feature.ts': 'f\n' }, { branch: 'topic/one' });
    const branch = await octokit.repos.getBranch({ owner, repo, branch: 'topic/one' });
    expect(branch.data.commit.sha).toBe(gh.sha('acme/web', 'topic/one'));
    const ahead = await octokit.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: 'main...topic/one',
    });
    expect(ahead.data).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0 });
    expect(ahead.data.files?.map((f) => [f.filename, f.status])).toEqual([['feature.ts', 'added']]);
    gh.commitFiles('acme/web', { 'other.ts': 'o\n' }, { branch: 'main' });
    const diverged = await octokit.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: 'main...topic/one',
    });
    expect(diverged.data).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1 });
    const names = (await octokit.repos.listBranches({ owner, repo })).data.map((b) => b.name);
    expect(names).toEqual(['main', 'topic/one']);
  });
});

describe('faults on any route', () => {
  it('429 with rate-limit headers on a git route, then the next call works', async () => {
    const octokit = octokitFor(gh);
    gh.failNext('GET /repos/:owner/:repo/git/ref/*ref', 429, { kind: 'rate-limit', retryAfter: 7 });
    const error = await octokit.git.getRef({ owner, repo, ref: 'heads/main' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 429,
      response: { headers: { 'retry-after': '7', 'x-ratelimit-remaining': '0' } },
    });
    expect((await octokit.git.getRef({ owner, repo, ref: 'heads/main' })).status).toBe(200);
  });

  it('a RegExp or predicate matcher, a count, and the request record', async () => {
    const octokit = octokitFor(gh);
    gh.failNext(/^POST \/repos\/acme\/web\/pulls$/, 502, { times: 2 });
    gh.failNext((r) => r.method === 'PUT' && r.path.endsWith('/merge'), 403, {
      kind: 'secondary-rate-limit',
    });
    gh.commitFiles('acme/web', { 'y.ts': 'y\n' }, { branch: 'faulty' });
    const create = () => octokit.pulls.create({ owner, repo, title: 'y', head: 'faulty', base: 'main' });
    await expect(create()).rejects.toMatchObject({ status: 502 });
    await expect(create()).rejects.toMatchObject({ status: 502 });
    const { data: pr } = await create();
    await expect(octokit.pulls.merge({ owner, repo, pull_number: pr.number })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('secondary rate limit'),
    });
    const posts = gh.requests.filter((r) => r.route === 'POST /repos/:owner/:repo/pulls');
    expect(posts.map((r) => r.status)).toEqual([502, 502, 201]);
    expect(posts[2]?.body).toMatchObject({ head: 'faulty', base: 'main' });
  });

  it('a hang on a route never answers (the client gives up)', async () => {
    gh.stallNext('GET /repos/:owner/:repo/commits/:ref/check-runs', { mode: 'hang' });
    const octokit = octokitFor(gh);
    const signal = AbortSignal.timeout(300);
    await expect(
      octokit.checks.listForRef({ owner, repo, ref: 'main', request: { signal } }),
    ).rejects.toBeTruthy();
    expect(gh.requests.at(-1)).toMatchObject({
      route: 'GET /repos/:owner/:repo/commits/:ref/check-runs',
      status: 0,
    });
  });
});
