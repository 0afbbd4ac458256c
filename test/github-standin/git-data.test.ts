import type { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { octokitFor } from './client.js';
import { GitCli } from './git-cli.js';

/**
 * The git data API through the real Octokit, with every SHA checked against the real `git`
 * CLI: blobs, trees (nested, git's entry order, executable bits, base_tree edits and deletes),
 * commits with fixed dates and offsets, and refs with GitHub's 409/422 answers.
 */

const owner = 'acme';
const repo = 'web';
const WHO = { name: 'Ada Lovelace', email: 'ada@example.com', date: '2024-03-01T12:34:56+02:00' };

let gh: GitHubStandIn;
let octokit: Octokit;
let cli: GitCli;

beforeAll(async () => {
  gh = await startGitHubStandIn({ repos: ['acme/web'] });
  octokit = octokitFor(gh);
});
afterAll(() => gh.close());
beforeEach(() => {
  cli = new GitCli();
});
afterEach(() => cli.remove());

async function tree(files: Record<string, string>, base_tree?: string) {
  const { data } = await octokit.git.createTree({
    owner,
    repo,
    ...(base_tree ? { base_tree } : {}),
    tree: Object.entries(files).map(([path, content]) => ({ path, mode: '100644', type: 'blob', content })),
  });
  return data.sha;
}

describe('objects hash like git', () => {
  it('a blob, from utf-8 and from base64', async () => {
    const text = 'héllo, wörld\n';
    const a = await octokit.git.createBlob({ owner, repo, content: text, encoding: 'utf-8' });
    const b = await octokit.git.createBlob({
      owner,
      repo,
      content: Buffer.from(text).toString('base64'),
      encoding: 'base64',
    });
    expect(a.data.sha).toBe(cli.hashBlob(text));
    expect(b.data.sha).toBe(a.data.sha);
    const back = await octokit.git.getBlob({ owner, repo, file_sha: a.data.sha });
    expect(Buffer.from(back.data.content, 'base64').toString('utf8')).toBe(text);
    expect(back.data.size).toBe(Buffer.byteLength(text));
  });

  it("a nested tree in git's entry order (a.b < a/ < a0)", async () => {
    const files = { 'a.b': '1\n', 'a/x.txt': '2\n', a0: '3\n', 'src/deep/er/file.ts': 'export {}\n' };
    expect(await tree(files)).toBe(cli.writeTree(files));
  });

  it('an executable file keeps mode 100755', async () => {
    const { data: blob } = await octokit.git.createBlob({ owner, repo, content: '#!/bin/sh\n' });
    const { data } = await octokit.git.createTree({
      owner,
      repo,
      tree: [
        { path: 'run.sh', mode: '100755', type: 'blob', sha: blob.sha },
        { path: 'README.md', mode: '100644', type: 'blob', content: 'hi\n' },
      ],
    });
    expect(data.sha).toBe(cli.writeTree({ 'run.sh': '#!/bin/sh\n', 'README.md': 'hi\n' }, ['run.sh']));
    expect(data.tree.find((e) => e.path === 'run.sh')?.mode).toBe('100755');
  });

  it('base_tree edits: change, add, delete a file and a whole directory', async () => {
    const base = { 'README.md': 'v1\n', 'src/a.ts': 'a\n', 'src/b.ts': 'b\n', 'docs/x.md': 'x\n' };
    const baseSha = await tree(base);
    expect(baseSha).toBe(cli.writeTree(base));
    const { data } = await octokit.git.createTree({
      owner,
      repo,
      base_tree: baseSha,
      tree: [
        { path: 'src/a.ts', mode: '100644', type: 'blob', content: 'a2\n' },
        { path: 'src/new/c.ts', mode: '100644', type: 'blob', content: 'c\n' },
        { path: 'src/b.ts', mode: '100644', type: 'blob', sha: null },
        { path: 'docs', mode: '040000', type: 'tree', sha: null },
      ],
    });
    const expected = cli.writeTree({
      'src/a.ts': 'a2\n',
      'src/new/c.ts': 'c\n',
      'src/b.ts': null,
      'docs/x.md': null,
    });
    expect(data.sha).toBe(expected);
    const recursive = await octokit.git.getTree({ owner, repo, tree_sha: data.sha, recursive: 'true' });
    const lsTree = cli.git([
      'ls-tree',
      '-r',
      '-t',
      '--format=%(objectmode) %(objecttype) %(objectname)\t%(path)',
      expected,
    ]);
    expect(recursive.data.tree.map((e) => `${e.mode} ${e.type} ${e.sha}\t${e.path}`).join('\n')).toBe(lsTree);
  });

  it('a commit with fixed author and committer dates (and a +02:00 offset)', async () => {
    const files = { 'README.md': 'hello\n' };
    const treeSha = await tree(files);
    const message = 'Initial commit\n\nWith a body.\n';
    const { data: root } = await octokit.git.createCommit({
      owner,
      repo,
      message,
      tree: treeSha,
      parents: [],
      author: WHO,
      committer: WHO,
    });
    const gitTree = cli.writeTree(files);
    const gitRoot = cli.commitTree(gitTree, [], message, WHO);
    expect(root.sha).toBe(gitRoot);

    const next = { 'README.md': 'hello again\n' };
    const nextTree = await tree(next, treeSha);
    const { data: child } = await octokit.git.createCommit({
      owner,
      repo,
      message: 'Second\n',
      tree: nextTree,
      parents: [root.sha],
      author: WHO,
      committer: WHO,
    });
    expect(child.sha).toBe(cli.commitTree(cli.writeTree(next), [gitRoot], 'Second\n', WHO));
    expect(child.parents.map((p) => p.sha)).toEqual([root.sha]);
    expect(child.tree.sha).toBe(nextTree);
    const fetched = await octokit.git.getCommit({ owner, repo, commit_sha: child.sha });
    expect(fetched.data.author.date).toBe('2024-03-01T10:34:56Z');
    expect(fetched.data.message).toBe('Second\n');
  });

  it('refuses a commit on a missing tree or parent (422)', async () => {
    const missing = '0'.repeat(40);
    await expect(
      octokit.git.createCommit({ owner, repo, message: 'x', tree: missing, parents: [] }),
    ).rejects.toMatchObject({ status: 422 });
    const treeSha = await tree({ f: 'f\n' });
    await expect(
      octokit.git.createCommit({ owner, repo, message: 'x', tree: treeSha, parents: [missing] }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe('refs', () => {
  it('an empty repository answers 409 until its first ref', async () => {
    gh.addRepo('acme/empty');
    await expect(octokit.git.getRef({ owner, repo: 'empty', ref: 'heads/main' })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('create, read, fast-forward, refuse a non-fast-forward, force, delete', async () => {
    const base = gh.commitFiles('acme/web', { 'README.md': 'base\n' }, { branch: 'main' });
    const commit = async (parent: string, text: string) =>
      (
        await octokit.git.createCommit({
          owner,
          repo,
          message: text,
          tree: await tree({ 'README.md': text }),
          parents: [parent],
        })
      ).data.sha;
    const ahead = await commit(base, 'ahead\n');
    const sideways = await commit(base, 'sideways\n');

    const created = await octokit.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/orchestrator/t-1',
      sha: base,
    });
    expect(created.status).toBe(201);
    expect(created.data.object.sha).toBe(base);
    await expect(
      octokit.git.createRef({ owner, repo, ref: 'refs/heads/orchestrator/t-1', sha: base }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('Reference already exists') });
    await expect(octokit.git.createRef({ owner, repo, ref: 'heads/x', sha: base })).rejects.toMatchObject({
      status: 422,
    });

    const got = await octokit.git.getRef({ owner, repo, ref: 'heads/orchestrator/t-1' });
    expect(got.data.ref).toBe('refs/heads/orchestrator/t-1');

    await octokit.git.updateRef({ owner, repo, ref: 'heads/orchestrator/t-1', sha: ahead });
    await expect(
      octokit.git.updateRef({ owner, repo, ref: 'heads/orchestrator/t-1', sha: sideways }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('Update is not a fast forward'),
    });
    expect(gh.sha('acme/web', 'orchestrator/t-1')).toBe(ahead);
    await octokit.git.updateRef({ owner, repo, ref: 'heads/orchestrator/t-1', sha: sideways, force: true });
    expect(gh.sha('acme/web', 'orchestrator/t-1')).toBe(sideways);

    const matching = await octokit.git.listMatchingRefs({ owner, repo, ref: 'heads/orchestrator/' });
    expect(matching.data.map((r) => r.ref)).toEqual(['refs/heads/orchestrator/t-1']);

    await octokit.git.deleteRef({ owner, repo, ref: 'heads/orchestrator/t-1' });
    await expect(octokit.git.getRef({ owner, repo, ref: 'heads/orchestrator/t-1' })).rejects.toMatchObject({
      status: 404,
    });
    await expect(octokit.git.deleteRef({ owner, repo, ref: 'heads/orchestrator/t-1' })).rejects.toMatchObject(
      {
        status: 422,
      },
    );
  });

  it('getTree takes a branch name and the recursive listing has sizes', async () => {
    gh.commitFiles('acme/web', { 'lib/x.ts': 'export const x = 1;\n' }, { branch: 'tree-test' });
    const { data } = await octokit.git.getTree({ owner, repo, tree_sha: 'tree-test', recursive: '1' });
    const file = data.tree.find((e) => e.path === 'lib/x.ts');
    expect(file).toMatchObject({ type: 'blob', mode: '100644', size: 20 });
    expect(file?.sha).toBe(cli.hashBlob('export const x = 1;\n'));
    expect(data.tree.find((e) => e.path === 'lib')).toMatchObject({ type: 'tree', mode: '040000' });
  });
});
