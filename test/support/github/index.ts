import type { Stall } from '../stall.js';
import type { RouteContext } from './context.js';
import { controls, type StandInControls } from './controls.js';
import { type FailOptions, Faults, type RecordedRequest, type RouteMatcher } from './faults.js';
import { Router } from './http.js';
import type { StandInIssue } from './models.js';
import { registerActionRoutes } from './routes-actions.js';
import { registerCheckRoutes } from './routes-checks.js';
import { registerContentRoutes } from './routes-contents.js';
import { registerDeploymentRoutes } from './routes-deployments.js';
import { registerGitRoutes } from './routes-git.js';
import { createIssue, registerIssueRoutes } from './routes-issues.js';
import { registerPullRoutes } from './routes-pulls.js';
import { registerReviewRoutes } from './routes-reviews.js';
import { registerSearchRoutes } from './routes-search.js';
import { listen } from './server.js';
import { type Repo, StandInState } from './state.js';
import { Webhooks } from './webhooks.js';

/**
 * A stateful stand-in for the slice of GitHub's REST API the bot uses, on 127.0.0.1 and a free
 * port. Point the real Octokit at it with `baseUrl: standIn.url` and `auth: standIn.token`.
 * Route families (each file lists its routes): issues, labels, comments, permissions
 * (routes-issues), search (routes-search), the git data API over a real SHA-1 object store
 * (routes-git), contents, branches, commits and compare (routes-contents).
 *
 * Auth: `Authorization: token X` or `Bearer X` with X a key of `tokens`; otherwise 401 with
 * GitHub's JSON. Faults work the same on every route (faults.ts): `failNext(route, status,
 * {times, retryAfter, kind: 'rate-limit' | 'secondary-rate-limit', headers})`, `stallNext(route,
 * {mode: 'hang' | 'trickle'})`; `route` is a template such as 'PATCH
 * /repos/:owner/:repo/git/refs/*ref', '*', a RegExp over "METHOD /path", or a predicate.
 * `delayMs` delays every answer; `holdResponseMs` answers writes late, after their effect. Every
 * request is recorded in `requests`.
 */

export type { CompleteOptions, WorkflowSpec } from './actions-runs.js';
export type { StandInControls } from './controls.js';
export type { FailOptions, RecordedRequest, RouteMatcher } from './faults.js';
export type * from './models.js';
export type { CheckRunInit } from './routes-checks.js';
export type { Repo } from './state.js';
export { signWebhook, type WebhookConfig, type WebhookDelivery, type WebhookEvent } from './webhooks.js';

export interface GitHubStandInOptions {
  /** token → login. Default `{ [STANDIN_TOKEN]: 'orchestrator-bot' }`. */
  tokens?: Record<string, string>;
  /** Repos that exist ("owner/name"). Default ['acme/web']. */
  repos?: string[];
  searchLag?: boolean;
  delayMs?: number;
  rejectUnknownLabels?: boolean;
  /** Base of `html_url`s. Default https://github.com. */
  htmlUrl?: string;
}

export interface CommitFilesOptions {
  branch?: string;
  message?: string;
  /** Author and committer login (default the repo's owner). */
  login?: string;
  /** Author and committer date (ISO 8601, default now). */
  date?: string;
}

export interface GitHubStandIn extends StandInControls {
  url: string;
  /** The default token (first key of `tokens`). */
  token: string;
  requests: RecordedRequest[];
  /** Everything the stand-in holds, for assertions beyond the helpers below. */
  state: StandInState;
  repo(full: string): Repo;
  issues(repo: string): StandInIssue[];
  /** Adds an issue directly (e.g. one made by someone else, or a PR). Indexed for search unless lagging. */
  seedIssue(repo: string, issue: Partial<StandInIssue> & { title: string }, login?: string): StandInIssue;
  labels(repo: string): string[];
  addRepo(repo: string, labels?: string[]): void;
  /** A known user (GET /users/:login answers), optionally with a permission on a repo. */
  addUser(login: string, repo?: string, permission?: import('./models.js').Permission): void;
  /** A new token acting as `login` (a known user, with `permission` on `repo` when given). */
  tokenFor(login: string, repo?: string, permission?: import('./models.js').Permission): string;
  /** One commit changing files on a branch (created from the default branch if missing); its SHA. */
  commitFiles(repo: string, files: Record<string, string | null>, options?: CommitFilesOptions): string;
  /** The commit a branch (or tag, or ref) points at. */
  sha(repo: string, ref: string): string | undefined;
  /** Every file at a ref, as text. */
  files(repo: string, ref: string): Record<string, string>;
  failNext(route: RouteMatcher, status: number, options?: FailOptions): void;
  /** The next `times` calls of `route` (or '*') hang or trickle. */
  stallNext(route: RouteMatcher, stall: Stall, times?: number): void;
  /** Forgets faults and stalls not used up yet. */
  clearFaults(): void;
  searchLag: boolean;
  delayMs: number;
  /** Writes (POST/PATCH…) take effect at once but answer only after this long. */
  holdResponseMs: number;
  /** Makes every issue searchable (the index catches up). */
  indexSearch(): void;
  close(): Promise<void>;
}

export const STANDIN_TOKEN = 'ghp_standin_token_0000000000000000000000';

export async function startGitHubStandIn(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const tokens = options.tokens ?? { [STANDIN_TOKEN]: 'orchestrator-bot' };
  const state = new StandInState(options.htmlUrl ?? 'https://github.com');
  for (const login of Object.values(tokens)) state.users.add(login);
  const router = new Router();
  const faults = new Faults();
  const requests: RecordedRequest[] = [];
  const settings = { delayMs: options.delayMs ?? 0, holdResponseMs: 0 };
  const rc: RouteContext = {
    state,
    router,
    config: {
      searchLag: options.searchLag ?? false,
      rejectUnknownLabels: options.rejectUnknownLabels ?? false,
      runDetails: 'supported',
    },
    searchIndex: new Set(),
  };
  for (const r of options.repos ?? ['acme/web']) state.addRepo(r);
  registerIssueRoutes(rc);
  registerSearchRoutes(rc);
  registerGitRoutes(rc);
  registerContentRoutes(rc);
  registerPullRoutes(rc);
  registerReviewRoutes(rc);
  registerCheckRoutes(rc);
  registerActionRoutes(rc);
  registerDeploymentRoutes(rc);
  const webhooks = new Webhooks(state);
  state.emit = (repo, event, payload, sender) => void webhooks.raise(repo, event, payload, sender);
  state.pushHooks.push((repo, ref, before, after, sender) => {
    const zero = '0'.repeat(40);
    state.emit(
      repo,
      'push',
      {
        ref,
        before: before ?? zero,
        after: after ?? zero,
        created: !before,
        deleted: !after,
        forced: Boolean(before && after && !repo.git.isAncestor(before, after)),
      },
      sender,
    );
  });
  const sideControls = controls(rc, webhooks);

  const { server, url } = await listen({ router, faults, tokens, requests, settings });
  state.baseUrl = url;

  let tokenCount = 0;
  const standIn: GitHubStandIn = {
    ...sideControls,
    actions: sideControls.actions,
    url,
    token: Object.keys(tokens)[0] ?? STANDIN_TOKEN,
    requests,
    state,
    repo: (full) => state.requireRepo(full),
    get searchLag() {
      return rc.config.searchLag;
    },
    set searchLag(value: boolean) {
      rc.config.searchLag = value;
    },
    get delayMs() {
      return settings.delayMs;
    },
    set delayMs(value: number) {
      settings.delayMs = value;
    },
    get holdResponseMs() {
      return settings.holdResponseMs;
    },
    set holdResponseMs(value: number) {
      settings.holdResponseMs = value;
    },
    issues: (full) => state.repos.get(full.toLowerCase())?.issues ?? [],
    labels: (full) => [...(state.repos.get(full.toLowerCase())?.labels ?? [])],
    addRepo: (full, labels) => void state.addRepo(full, labels),
    addUser(login, full, permission = 'write') {
      state.users.add(login);
      if (full) state.addRepo(full).permissions.set(login, permission);
    },
    tokenFor(login, full, permission) {
      const token = `ghp_standin_${login.replace(/\W/g, '_')}_${++tokenCount}`;
      tokens[token] = login;
      standIn.addUser(login, full, permission);
      return token;
    },
    seedIssue(full, issue, login = 'someone-else') {
      return createIssue(rc, state.addRepo(full), issue, login);
    },
    commitFiles(full, files, o = {}) {
      const repo = state.addRepo(full);
      const sig = state.signature(o.login ?? repo.owner, o.date);
      return state.commitFiles(
        repo,
        o.branch ?? repo.defaultBranch,
        files,
        o.message ?? 'Update files\n',
        sig,
      );
    },
    sha: (full, ref) => state.resolve(state.requireRepo(full), ref),
    files(full, ref) {
      const repo = state.requireRepo(full);
      const sha = state.resolve(repo, ref);
      const tree = sha ? repo.git.commit(sha)?.tree : undefined;
      if (!tree) return {};
      return Object.fromEntries(
        [...repo.git.flatten(tree)].map(([path, e]) => [path, repo.git.blob(e.sha)?.toString('utf8') ?? '']),
      );
    },
    clearFaults: () => faults.clear(),
    stallNext: (route, stall, times = 1) => faults.stallNext(route, stall, times),
    failNext: (route, status, failOptions = {}) => faults.failNext(route, status, failOptions),
    indexSearch() {
      for (const repo of state.repos.values()) for (const issue of repo.issues) rc.searchIndex.add(issue);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return standIn;
}
