import { type FlatEntry, GitStore, type Signature } from './git-objects.js';
import { isoNow } from './http.js';
import type {
  Permission,
  StandInArtifact,
  StandInCheckRun,
  StandInComment,
  StandInDeployment,
  StandInIssue,
  StandInPull,
  StandInReview,
  StandInReviewComment,
  StandInRun,
  StandInStatus,
  StandInWorkflow,
} from './models.js';

/** One repository: its issues and labels, its git objects and refs, and everything hung on them. */
export interface Repo {
  id: number;
  full: string;
  owner: string;
  name: string;
  defaultBranch: string;
  issues: StandInIssue[];
  labels: Set<string>;
  comments: Map<number, StandInComment[]>;
  git: GitStore;
  /** 'refs/heads/main' → commit sha. */
  refs: Map<string, string>;
  pulls: Map<number, StandInPull>;
  reviews: StandInReview[];
  reviewComments: StandInReviewComment[];
  checkRuns: StandInCheckRun[];
  statuses: StandInStatus[];
  workflows: StandInWorkflow[];
  runs: StandInRun[];
  artifacts: StandInArtifact[];
  deployments: StandInDeployment[];
  /** login → permission; the owner's login is admin. */
  permissions: Map<string, Permission>;
}

/** A webhook event about to be sent (the webhooks module fills in delivery). */
export type Emit = (repo: Repo, event: string, payload: Record<string, unknown>, sender: string) => void;

/** Runs after a ref moves (push webhook, PR synchronize, workflows `on: push`). */
export type PushHook = (
  repo: Repo,
  ref: string,
  before: string | null,
  after: string | null,
  sender: string,
) => void;

export class StandInState {
  baseUrl = '';
  readonly htmlBase: string;
  readonly repos = new Map<string, Repo>();
  readonly users = new Set<string>();
  emit: Emit = () => {};
  readonly pushHooks: PushHook[] = [];
  private id = 1000;

  constructor(htmlBase: string) {
    this.htmlBase = htmlBase.replace(/\/+$/, '');
  }

  nextId(): number {
    return this.id++;
  }

  addRepo(full: string, labels: string[] = []): Repo {
    const existing = this.repos.get(full.toLowerCase());
    if (existing) {
      for (const l of labels) existing.labels.add(l);
      return existing;
    }
    const [owner = '', name = ''] = full.split('/');
    const repo: Repo = {
      id: this.nextId(),
      full,
      owner,
      name,
      defaultBranch: 'main',
      issues: [],
      labels: new Set(labels),
      comments: new Map(),
      git: new GitStore(),
      refs: new Map(),
      pulls: new Map(),
      reviews: [],
      reviewComments: [],
      checkRuns: [],
      statuses: [],
      workflows: [],
      runs: [],
      artifacts: [],
      deployments: [],
      permissions: new Map([[owner, 'admin']]),
    };
    this.repos.set(full.toLowerCase(), repo);
    this.users.add(owner);
    return repo;
  }

  repo(params: Record<string, string>): Repo | undefined {
    return this.repos.get(`${params.owner}/${params.repo}`.toLowerCase());
  }

  requireRepo(full: string): Repo {
    const repo = this.repos.get(full.toLowerCase());
    if (!repo) throw new Error(`stand-in has no repo ${full}`);
    return repo;
  }

  apiUrl(repo: Repo, rest = ''): string {
    return `${this.baseUrl}/repos/${repo.full}${rest}`;
  }

  htmlUrl(repo: Repo, rest = ''): string {
    return `${this.htmlBase}/${repo.full}${rest}`;
  }

  user(login: string): Record<string, unknown> {
    return {
      login,
      id: idOfLogin(login),
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      html_url: `${this.htmlBase}/${login}`,
      url: `${this.baseUrl}/users/${login}`,
    };
  }

  repoJson(repo: Repo): Record<string, unknown> {
    return {
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.name,
      full_name: repo.full,
      owner: this.user(repo.owner),
      private: false,
      has_issues: true,
      default_branch: repo.defaultBranch,
      html_url: this.htmlUrl(repo),
      url: this.apiUrl(repo),
      clone_url: `${this.htmlUrl(repo)}.git`,
    };
  }

  /** A branch, tag, full ref or (full) commit SHA → commit SHA. */
  resolve(repo: Repo, refish: string): string | undefined {
    const name = refish.replace(/^refs\//, '');
    for (const candidate of [`refs/${name}`, `refs/heads/${name}`, `refs/tags/${name}`]) {
      const sha = repo.refs.get(candidate);
      if (sha) return sha;
    }
    if (/^[0-9a-f]{40}$/i.test(refish) && repo.git.commit(refish)) return refish.toLowerCase();
    if (/^[0-9a-f]{7,39}$/i.test(refish)) {
      const found = repo.git.commitByPrefix(refish.toLowerCase());
      if (found) return found;
    }
    return undefined;
  }

  branchOf(repo: Repo, sha: string): string | null {
    for (const [ref, at] of repo.refs) if (at === sha && ref.startsWith('refs/heads/')) return ref.slice(11);
    return null;
  }

  signature(login: string, date = isoNow()): Signature {
    return { name: login, email: `${idOfLogin(login)}+${login}@users.noreply.github.com`, date };
  }

  /**
   * One commit on `branch` changing files (null deletes), as the contents API or a test's seed
   * does it. Creates the branch (from the default branch, or as a root commit) when missing.
   */
  commitFiles(
    repo: Repo,
    branch: string,
    files: Record<string, string | Buffer | null>,
    message: string,
    author: Signature,
    committer: Signature = author,
  ): string {
    const ref = `refs/heads/${branch}`;
    const parent = repo.refs.get(ref) ?? repo.refs.get(`refs/heads/${repo.defaultBranch}`);
    const base = parent ? repo.git.commit(parent)?.tree : undefined;
    const flat = base ? repo.git.flatten(base) : new Map<string, FlatEntry>();
    for (const [path, content] of Object.entries(files)) {
      if (content === null) flat.delete(path);
      else
        flat.set(path, {
          mode: flat.get(path)?.mode ?? '100644',
          sha: repo.git.putBlob(Buffer.from(content)),
        });
    }
    const tree = repo.git.writeFlat(flat);
    const sha = repo.git.putCommit({ tree, parents: parent ? [parent] : [], author, committer, message });
    this.setRef(repo, ref, sha, author.name);
    return sha;
  }

  /** Moves (or, with null, deletes) a ref and tells whoever follows pushes. */
  setRef(repo: Repo, ref: string, sha: string | null, sender: string): void {
    const before = repo.refs.get(ref) ?? null;
    if (sha) repo.refs.set(ref, sha);
    else repo.refs.delete(ref);
    if (before !== sha) for (const hook of this.pushHooks) hook(repo, ref, before, sha, sender);
  }
}

/** A stable numeric id per login, so `user.id` does not change between calls. */
export function idOfLogin(login: string): number {
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000_007;
  return 10_000 + (h % 9_000_000);
}
