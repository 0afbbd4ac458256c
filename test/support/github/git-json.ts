import type { GitMode, Signature, TreeEntry } from './git-objects.js';
import { fields, isoNow, str } from './http.js';
import type { Repo, StandInState } from './state.js';

/** GitHub's JSON for git objects and refs (git data API and repos API forms). */

export const apiMode = (mode: GitMode): string => (mode === '40000' ? '040000' : mode);

export const entryType = (mode: GitMode): 'blob' | 'tree' | 'commit' =>
  mode === '40000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';

/** Base64 wrapped at 60 columns, as GitHub sends blob and file contents. */
export function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  return `${b64.replace(/(.{60})/g, '$1\n')}\n`;
}

const sigJson = (s: Signature) => ({
  name: s.name,
  email: s.email,
  date: new Date(Date.parse(s.date)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
});

export function gitCommitJson(state: StandInState, repo: Repo, sha: string): Record<string, unknown> {
  const c = repo.git.commit(sha);
  if (!c) throw new Error(`no commit ${sha}`);
  return {
    sha,
    node_id: `C_${sha.slice(0, 12)}`,
    url: state.apiUrl(repo, `/git/commits/${sha}`),
    html_url: state.htmlUrl(repo, `/commit/${sha}`),
    author: sigJson(c.author),
    committer: sigJson(c.committer),
    message: c.message,
    tree: { sha: c.tree, url: state.apiUrl(repo, `/git/trees/${c.tree}`) },
    parents: c.parents.map((p) => ({
      sha: p,
      url: state.apiUrl(repo, `/git/commits/${p}`),
      html_url: state.htmlUrl(repo, `/commit/${p}`),
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

/** The repos API's commit (`repos.getCommit`, compare, branches), optionally with its files. */
export function repoCommitJson(
  state: StandInState,
  repo: Repo,
  sha: string,
  withFiles = false,
): Record<string, unknown> {
  const git = gitCommitJson(state, repo, sha);
  const c = repo.git.commit(sha)!;
  const out: Record<string, unknown> = {
    sha,
    node_id: git.node_id,
    url: state.apiUrl(repo, `/commits/${sha}`),
    html_url: git.html_url,
    commit: {
      author: git.author,
      committer: git.committer,
      message: c.message,
      tree: git.tree,
      url: git.url,
      comment_count: 0,
    },
    author: null,
    committer: null,
    parents: git.parents,
  };
  if (withFiles) {
    const parent = c.parents[0] ? repo.git.commit(c.parents[0])?.tree : undefined;
    out.files = fileChanges(repo, parent, c.tree);
  }
  return out;
}

/** Files that differ between two trees, as compare and getCommit list them. */
export function fileChanges(repo: Repo, fromTree: string | undefined, toTree: string): unknown[] {
  const before = fromTree ? repo.git.flatten(fromTree) : new Map();
  const after = repo.git.flatten(toTree);
  const out: unknown[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(path);
    const a = after.get(path);
    if (b && a && b.sha === a.sha && b.mode === a.mode) continue;
    const status = !b ? 'added' : !a ? 'removed' : 'modified';
    const lines = (sha: string | undefined) =>
      sha ? (repo.git.blob(sha)?.toString('utf8').split('\n').length ?? 0) : 0;
    out.push({
      sha: (a ?? b)?.sha,
      filename: path,
      status,
      additions: status === 'removed' ? 0 : lines(a?.sha),
      deletions: status === 'added' ? 0 : lines(b?.sha),
      changes: lines(a?.sha) + lines(b?.sha),
    });
  }
  return out;
}

export function refJson(state: StandInState, repo: Repo, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
    url: state.apiUrl(repo, `/git/${ref}`),
    object: { sha, type: 'commit', url: state.apiUrl(repo, `/git/commits/${sha}`) },
  };
}

export function treeEntryJson(
  state: StandInState,
  repo: Repo,
  e: TreeEntry,
  path: string,
): Record<string, unknown> {
  const type = entryType(e.mode);
  const out: Record<string, unknown> = { path, mode: apiMode(e.mode), type, sha: e.sha };
  if (type === 'blob') {
    out.size = repo.git.blob(e.sha)?.length ?? 0;
    out.url = state.apiUrl(repo, `/git/blobs/${e.sha}`);
  } else if (type === 'tree') out.url = state.apiUrl(repo, `/git/trees/${e.sha}`);
  return out;
}

/** An author or committer from a request body, or undefined when name or email is missing. */
export function signatureOf(value: unknown): Signature | undefined {
  const f = fields(value);
  const name = str(f.name);
  const email = str(f.email);
  if (!name || !email) return undefined;
  return { name, email, date: str(f.date) ?? isoNow() };
}
