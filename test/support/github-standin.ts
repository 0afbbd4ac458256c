import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { readBody } from '../../src/sandbox/read-body.js';
import { type Stall, trickle } from './stall.js';

/**
 * A stateful stand-in for the slice of GitHub's REST API the agents use, on 127.0.0.1 and a
 * free port. Point the real Octokit at it with `baseUrl: standIn.url`.
 *
 * Routes (paths as GitHub's, JSON as GitHub's, trimmed to the fields we read):
 *   GET  /user                              login of the token
 *   GET  /repos/:owner/:repo                404 for repos not given in `repos`
 *   GET  /repos/:owner/:repo/issues         filters state, creator, labels, sort, direction, per_page, page (+ Link header)
 *   POST /repos/:owner/:repo/issues         title required; labels are created, or 422 with `rejectUnknownLabels`
 *   GET  /repos/:owner/:repo/issues/:number
 *   GET  /repos/:owner/:repo/labels, POST /repos/:owner/:repo/labels
 *   GET  /search/issues                     q: "quoted phrases", bare words, repo:, in:title|body, is:issue|pr, is:open|closed
 *
 * Auth: `Authorization: token X` or `Bearer X` with X a key of `tokens`; otherwise 401 with
 * GitHub's JSON. Search lag: with `searchLag: true`, new issues reach the search index only on
 * `indexSearch()` — the eventual consistency of GitHub's search, without timing. Faults:
 * `failNext(route, status, {times, retryAfter, kind})` answers the next N calls of a route (e.g.
 * 'POST /repos/:owner/:repo/issues', or '*') with that status: 502, 403 secondary rate limit,
 * 429, 422… `delayMs` delays every answer. `stallNext(route, { mode: 'hang' })` never answers
 * the next N calls (nothing happens either); `{ mode: 'trickle' }` acts, then sends the answer's
 * body one byte at a time (see stall.ts). Every request is recorded in `requests`.
 */

export interface StandInIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: Array<{ name: string }>;
  user: { login: string };
  html_url: string;
  url: string;
  created_at: string;
  updated_at: string;
  comments: number;
  pull_request?: { url: string };
}

export interface RecordedRequest {
  method: string;
  /** Path without query. */
  path: string;
  query: Record<string, string>;
  /** Route template that matched, e.g. 'POST /repos/:owner/:repo/issues', or null. */
  route: string | null;
  token: string | null;
  body: unknown;
  status: number;
}

export interface FailOptions {
  /** How many calls in a row fail (default 1). */
  times?: number;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  /** Shapes the body and headers like GitHub's rate-limit answers. */
  kind?: 'secondary-rate-limit' | 'rate-limit';
  message?: string;
  /** For 422: GitHub's `errors` array. */
  errors?: unknown[];
}

export interface GitHubStandInOptions {
  /** token → login. Default `{ 'ghp_standin_token_0000000000000000000000': 'orchestrator-bot' }`. */
  tokens?: Record<string, string>;
  /** Repos that exist ("owner/name"). Default ['acme/web']. */
  repos?: string[];
  searchLag?: boolean;
  delayMs?: number;
  rejectUnknownLabels?: boolean;
  /** Base of `html_url`s. Default https://github.com. */
  htmlUrl?: string;
}

export interface GitHubStandIn {
  url: string;
  /** The default token (first key of `tokens`). */
  token: string;
  requests: RecordedRequest[];
  issues(repo: string): StandInIssue[];
  /** Adds an issue directly (e.g. one made by someone else, or a PR). Indexed for search unless lagging. */
  seedIssue(repo: string, issue: Partial<StandInIssue> & { title: string }, login?: string): StandInIssue;
  labels(repo: string): string[];
  addRepo(repo: string, labels?: string[]): void;
  failNext(route: string, status: number, options?: FailOptions): void;
  /** The next `times` calls of `route` (or '*') hang or trickle. */
  stallNext(route: string, stall: Stall, times?: number): void;
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

interface RepoState {
  issues: StandInIssue[];
  labels: Set<string>;
}

interface Fault {
  route: string;
  status: number;
  remaining: number;
  options: FailOptions;
}

type Handler = (req: Ctx) => { status: number; body: unknown; headers?: Record<string, string> };

interface Ctx {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  login: string;
}

const CreateIssueSchema = z.object({
  title: z.union([z.string(), z.number()]).transform(String),
  body: z.string().nullish(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string() })])).optional(),
  assignees: z.array(z.string()).optional(),
});

const CreateLabelSchema = z.object({ name: z.string().min(1), color: z.string().optional() });

const DOCS = 'https://docs.github.com/rest';

export async function startGitHubStandIn(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const tokens = options.tokens ?? { [STANDIN_TOKEN]: 'orchestrator-bot' };
  const htmlBase = (options.htmlUrl ?? 'https://github.com').replace(/\/+$/, '');
  const repos = new Map<string, RepoState>();
  const searchIndex = new Set<StandInIssue>();
  const faults: Fault[] = [];
  const stalls: Array<{ route: string; stall: Stall; remaining: number }> = [];
  const requests: RecordedRequest[] = [];
  let nextId = 1000;
  let baseUrl = '';

  const addRepo = (full: string, labels: string[] = []) => {
    if (!repos.has(full.toLowerCase()))
      repos.set(full.toLowerCase(), { issues: [], labels: new Set(labels) });
  };
  for (const r of options.repos ?? ['acme/web']) addRepo(r);

  const repoState = (params: Record<string, string>): RepoState | undefined =>
    repos.get(`${params.owner}/${params.repo}`.toLowerCase());

  const notFound = () => ({
    status: 404,
    body: { message: 'Not Found', documentation_url: DOCS, status: '404' },
  });
  const validationFailed = (errors: unknown[], message = 'Validation Failed') => ({
    status: 422,
    body: { message, errors, documentation_url: DOCS, status: '422' },
  });

  const makeIssue = (
    full: string,
    state: RepoState,
    fields: Partial<StandInIssue> & { title: string },
    login: string,
  ): StandInIssue => {
    const number = state.issues.length + 1;
    const now = new Date().toISOString();
    const issue: StandInIssue = {
      id: nextId++,
      number,
      body: null,
      state: 'open',
      labels: [],
      user: { login },
      html_url: `${htmlBase}/${full}/issues/${number}`,
      url: `${baseUrl}/repos/${full}/issues/${number}`,
      created_at: now,
      updated_at: now,
      comments: 0,
      ...fields,
    };
    state.issues.push(issue);
    if (!standIn.searchLag) searchIndex.add(issue);
    return issue;
  };

  const routes: Array<{
    template: string;
    method: string;
    pattern: RegExp;
    keys: string[];
    handler: Handler;
  }> = [];
  const route = (template: string, handler: Handler) => {
    const [method, path] = template.split(' ') as [string, string];
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:(\w+)/g, (_m, key: string) => {
        keys.push(key);
        return '([^/]+)';
      })}$`,
    );
    routes.push({ template, method, pattern, keys, handler });
  };

  route('GET /user', ({ login }) => ({ status: 200, body: { login, id: 1, type: 'User' } }));

  route('GET /repos/:owner/:repo', ({ params }) => {
    if (!repoState(params)) return notFound();
    const full = `${params.owner}/${params.repo}`;
    return {
      status: 200,
      body: {
        full_name: full,
        name: params.repo,
        owner: { login: params.owner },
        has_issues: true,
        private: false,
      },
    };
  });

  route('GET /repos/:owner/:repo/issues', ({ params, query }) => {
    const state = repoState(params);
    if (!state) return notFound();
    const wantedState = query.get('state') ?? 'open';
    const creator = query.get('creator');
    const labels = (query.get('labels') ?? '').split(',').filter(Boolean);
    const sort = query.get('sort') ?? 'created';
    const direction = query.get('direction') ?? 'desc';
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const matching = state.issues
      .filter((i) => wantedState === 'all' || i.state === wantedState)
      .filter((i) => !creator || i.user.login.toLowerCase() === creator.toLowerCase())
      .filter((i) => labels.every((l) => i.labels.some((x) => x.name === l)))
      .sort((a, b) => {
        const key = sort === 'updated' ? 'updated_at' : sort === 'comments' ? 'comments' : 'created_at';
        const diff = a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id;
        return direction === 'asc' ? diff : -diff;
      });
    const slice = matching.slice((page - 1) * perPage, page * perPage);
    const lastPage = Math.max(1, Math.ceil(matching.length / perPage));
    const headers: Record<string, string> = {};
    if (lastPage > page) {
      const link = (p: number) => {
        const q = new URLSearchParams(query);
        q.set('page', String(p));
        return `<${baseUrl}/repos/${params.owner}/${params.repo}/issues?${q}>`;
      };
      headers.link = `${link(page + 1)}; rel="next", ${link(lastPage)}; rel="last"`;
    }
    return { status: 200, body: slice, headers };
  });

  route('POST /repos/:owner/:repo/issues', ({ params, body, login }) => {
    const state = repoState(params);
    if (!state) return notFound();
    const parsed = CreateIssueSchema.safeParse(body);
    if (!parsed.success || parsed.data.title.trim() === '') {
      return validationFailed([{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
    }
    const labels = (parsed.data.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name));
    const unknown = labels.filter((l) => !state.labels.has(l));
    if (unknown.length > 0 && options.rejectUnknownLabels) {
      return validationFailed(
        unknown.map((value) => ({ value, resource: 'Label', field: 'name', code: 'invalid' })),
      );
    }
    for (const l of unknown) state.labels.add(l);
    const full = `${params.owner}/${params.repo}`;
    const issue = makeIssue(
      full,
      state,
      { title: parsed.data.title, body: parsed.data.body ?? null, labels: labels.map((name) => ({ name })) },
      login,
    );
    return { status: 201, body: issue, headers: { location: issue.url } };
  });

  route('GET /repos/:owner/:repo/issues/:number', ({ params }) => {
    const issue = repoState(params)?.issues.find((i) => String(i.number) === params.number);
    return issue ? { status: 200, body: issue } : notFound();
  });

  route('GET /repos/:owner/:repo/labels', ({ params }) => {
    const state = repoState(params);
    if (!state) return notFound();
    return { status: 200, body: [...state.labels].map((name) => ({ name, color: 'ededed' })) };
  });

  route('POST /repos/:owner/:repo/labels', ({ params, body }) => {
    const state = repoState(params);
    if (!state) return notFound();
    const parsed = CreateLabelSchema.safeParse(body);
    if (!parsed.success)
      return validationFailed([{ resource: 'Label', code: 'missing_field', field: 'name' }]);
    if (state.labels.has(parsed.data.name)) {
      return validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
    }
    state.labels.add(parsed.data.name);
    return { status: 201, body: { name: parsed.data.name, color: parsed.data.color ?? 'ededed' } };
  });

  route('GET /search/issues', ({ query }) => {
    const q = query.get('q');
    if (!q) return validationFailed([{ resource: 'Search', field: 'q', code: 'missing' }]);
    const terms = parseQuery(q);
    for (const r of terms.repos) {
      if (!repos.has(r.toLowerCase())) {
        return validationFailed([
          {
            message: `The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.`,
            resource: 'Search',
            field: 'q',
            code: 'invalid',
          },
        ]);
      }
    }
    const items: StandInIssue[] = [];
    for (const [full, state] of repos) {
      if (terms.repos.length > 0 && !terms.repos.some((r) => r.toLowerCase() === full)) continue;
      for (const issue of state.issues) {
        if (!searchIndex.has(issue)) continue;
        if (terms.isIssue === true && issue.pull_request) continue;
        if (terms.isIssue === false && !issue.pull_request) continue;
        if (terms.state && issue.state !== terms.state) continue;
        const haystack = [
          terms.inFields.has('title') ? issue.title : '',
          terms.inFields.has('body') ? (issue.body ?? '') : '',
        ]
          .join('\n')
          .toLowerCase();
        if (terms.phrases.every((p) => haystack.includes(p.toLowerCase()))) items.push(issue);
      }
    }
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    return {
      status: 200,
      body: {
        total_count: items.length,
        incomplete_results: false,
        items: items.slice(0, perPage).map((i) => ({ ...i, score: 1 })),
      },
    };
  });

  const faultFor = (template: string | null): Fault | undefined => {
    const fault = faults.find((f) => f.remaining > 0 && (f.route === '*' || f.route === template));
    if (fault) fault.remaining--;
    return fault;
  };

  const faultResponse = (fault: Fault) => {
    const headers: Record<string, string> = {};
    const o = fault.options;
    if (o.retryAfter !== undefined) headers['retry-after'] = String(o.retryAfter);
    let message = o.message ?? defaultMessage(fault.status);
    if (o.kind === 'secondary-rate-limit') {
      message =
        o.message ??
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    }
    if (o.kind === 'rate-limit') {
      message = o.message ?? 'API rate limit exceeded for user ID 1.';
      headers['x-ratelimit-limit'] = '5000';
      headers['x-ratelimit-remaining'] = '0';
      headers['x-ratelimit-reset'] = String(Math.floor(Date.now() / 1000) + (o.retryAfter ?? 60));
    }
    const body: Record<string, unknown> = { message, documentation_url: DOCS, status: String(fault.status) };
    if (o.errors) body.errors = o.errors;
    return { status: fault.status, body, headers };
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      send(res, 500, { message: String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const token = tokenOf(req.headers.authorization);
    const matched = routes
      .map((r) => ({ r, m: r.method === method ? r.pattern.exec(url.pathname) : null }))
      .find((x) => x.m !== null);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      route: matched?.r.template ?? null,
      token,
      body,
      status: 0,
    };
    requests.push(record);
    if (standIn.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, standIn.delayMs));
    const stalled = stalls.find((s) => s.remaining > 0 && (s.route === '*' || s.route === record.route));
    if (stalled) stalled.remaining--;
    if (stalled?.stall.mode === 'hang') return;

    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    const login = token ? tokens[token] : undefined;
    const fault = faultFor(record.route);
    if (fault) answer = faultResponse(fault);
    else if (!login) {
      answer = { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } };
    } else if (!matched?.m) answer = notFound();
    else {
      const params = Object.fromEntries(
        matched.r.keys.map((k, i) => [k, decodeURIComponent(matched.m?.[i + 1] ?? '')]),
      );
      answer = matched.r.handler({ params, query: url.searchParams, body, login });
    }
    record.status = answer.status;
    // The effect has happened; the caller just has not heard back yet (crash tests kill it here).
    if (standIn.holdResponseMs > 0 && method !== 'GET') {
      await new Promise((resolve) => setTimeout(resolve, standIn.holdResponseMs));
    }
    if (stalled?.stall.mode === 'trickle') {
      trickle(
        res,
        answer.status,
        { ...JSON_HEADERS, ...answer.headers },
        JSON.stringify(answer.body),
        stalled.stall.intervalMs,
      );
      return;
    }
    send(res, answer.status, answer.body, answer.headers);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  const standIn: GitHubStandIn = {
    url: baseUrl,
    token: Object.keys(tokens)[0] ?? STANDIN_TOKEN,
    requests,
    searchLag: options.searchLag ?? false,
    delayMs: options.delayMs ?? 0,
    holdResponseMs: 0,
    issues: (full) => repos.get(full.toLowerCase())?.issues ?? [],
    labels: (full) => [...(repos.get(full.toLowerCase())?.labels ?? [])],
    addRepo,
    seedIssue(full, issue, login = 'someone-else') {
      addRepo(full);
      const state = repos.get(full.toLowerCase());
      if (!state) throw new Error('unreachable');
      return makeIssue(full, state, issue, login);
    },
    clearFaults() {
      faults.length = 0;
      stalls.length = 0;
    },
    stallNext(routeTemplate, stall, times = 1) {
      stalls.push({ route: routeTemplate, stall, remaining: times });
    },
    failNext(routeTemplate, status, failOptions = {}) {
      faults.push({ route: routeTemplate, status, remaining: failOptions.times ?? 1, options: failOptions });
    },
    indexSearch() {
      for (const state of repos.values()) for (const issue of state.issues) searchIndex.add(issue);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return standIn;
}

interface SearchTerms {
  phrases: string[];
  repos: string[];
  inFields: Set<'title' | 'body'>;
  isIssue: boolean | undefined;
  state: 'open' | 'closed' | undefined;
}

/** GitHub search syntax, the part we need: "quoted phrases", words, and qualifiers. */
function parseQuery(q: string): SearchTerms {
  const terms: SearchTerms = {
    phrases: [],
    repos: [],
    inFields: new Set(),
    isIssue: undefined,
    state: undefined,
  };
  for (const match of q.matchAll(/"([^"]*)"|(\S+)/g)) {
    const quoted = match[1];
    const word = match[2];
    if (quoted !== undefined) {
      if (quoted.trim()) terms.phrases.push(quoted);
      continue;
    }
    if (!word) continue;
    const [key, value] = word.includes(':')
      ? [word.slice(0, word.indexOf(':')), word.slice(word.indexOf(':') + 1)]
      : ['', word];
    if (key === 'repo') terms.repos.push(value);
    else if (key === 'in') {
      for (const f of value.split(',')) if (f === 'title' || f === 'body') terms.inFields.add(f);
    } else if ((key === 'is' || key === 'type') && (value === 'issue' || value === 'pr')) {
      terms.isIssue = value === 'issue';
    } else if ((key === 'is' || key === 'state') && (value === 'open' || value === 'closed'))
      terms.state = value;
    else terms.phrases.push(word);
  }
  if (terms.inFields.size === 0) {
    terms.inFields.add('title');
    terms.inFields.add('body');
  }
  return terms;
}

function tokenOf(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(?:token|bearer)\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

function defaultMessage(status: number): string {
  if (status === 422) return 'Validation Failed';
  if (status === 404) return 'Not Found';
  if (status === 401) return 'Bad credentials';
  if (status === 403) return 'Forbidden';
  if (status === 429) return 'Too Many Requests';
  if (status >= 500) return 'Server Error';
  return 'Error';
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'x-github-media-type': 'github.v3; format=json',
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
