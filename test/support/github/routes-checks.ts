import { inRepo, type RouteContext } from './context.js';
import {
  type Answer,
  failure,
  fields,
  isoNow,
  notFound,
  ok,
  paginate,
  str,
  validationFailed,
} from './http.js';
import type { Conclusion, RunStatus, StandInCheckRun, StandInStatus } from './models.js';
import type { Repo } from './state.js';

/**
 * Check runs, check suites and commit statuses, settable through the API (as an app or CI
 * would) or by the test (`createCheckRun`, `updateCheckRun` below):
 *
 *   POST  /repos/:o/:r/check-runs                 {name, head_sha, status, conclusion, output, details_url}
 *   PATCH /repos/:o/:r/check-runs/:id, GET …/:id
 *   GET   /repos/:o/:r/commits/:ref/check-runs    ?check_name= &status= &filter=latest|all
 *   GET   /repos/:o/:r/commits/:ref/check-suites
 *   POST  /repos/:o/:r/statuses/:sha              {state, context, description, target_url}
 *   GET   /repos/:o/:r/commits/:ref/status        combined: failure > pending > success (latest per context)
 *   GET   /repos/:o/:r/commits/:ref/statuses
 * Emits check_run created/completed, check_suite completed (when its last run completes), status.
 */

export interface CheckRunInit {
  name: string;
  head_sha: string;
  status?: RunStatus;
  conclusion?: Conclusion | null;
  details_url?: string | null;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
  /** The app that owns it (one check suite per app and SHA). Default 'github-actions'. */
  app?: string;
}

export function checkRunJson(rc: RouteContext, repo: Repo, r: StandInCheckRun): Record<string, unknown> {
  return {
    id: r.id,
    node_id: `CR_${r.id}`,
    name: r.name,
    head_sha: r.head_sha,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at,
    completed_at: r.completed_at,
    details_url: r.details_url,
    html_url: rc.state.htmlUrl(repo, `/runs/${r.id}`),
    url: rc.state.apiUrl(repo, `/check-runs/${r.id}`),
    output: {
      title: r.output.title,
      summary: r.output.summary,
      text: r.output.text ?? null,
      annotations_count: 0,
    },
    app: { slug: r.app, name: r.app },
    check_suite: { id: r.suite_id },
    pull_requests: [],
  };
}

export function createCheckRun(
  rc: RouteContext,
  repo: Repo,
  init: CheckRunInit,
  sender: string,
): StandInCheckRun {
  const app = init.app ?? 'github-actions';
  const sibling = repo.checkRuns.find((r) => r.head_sha === init.head_sha && r.app === app);
  const status = init.conclusion ? 'completed' : (init.status ?? 'queued');
  const run: StandInCheckRun = {
    id: rc.state.nextId(),
    name: init.name,
    head_sha: init.head_sha,
    status,
    conclusion: init.conclusion ?? null,
    started_at: status === 'queued' ? null : isoNow(),
    completed_at: status === 'completed' ? isoNow() : null,
    details_url: init.details_url ?? null,
    output: {
      title: init.output?.title ?? null,
      summary: init.output?.summary ?? null,
      text: init.output?.text ?? null,
    },
    app,
    suite_id: sibling?.suite_id ?? rc.state.nextId(),
  };
  repo.checkRuns.push(run);
  rc.state.emit(repo, 'check_run', { action: 'created', check_run: checkRunJson(rc, repo, run) }, sender);
  if (run.status === 'completed') completed(rc, repo, run, sender);
  return run;
}

export function updateCheckRun(
  rc: RouteContext,
  repo: Repo,
  run: StandInCheckRun,
  change: Partial<CheckRunInit>,
  sender: string,
): void {
  const wasCompleted = run.status === 'completed';
  if (change.name) run.name = change.name;
  if (change.details_url !== undefined) run.details_url = change.details_url;
  if (change.output) run.output = { ...run.output, ...change.output };
  if (change.status) run.status = change.status;
  if (change.conclusion) {
    run.conclusion = change.conclusion;
    run.status = 'completed';
  }
  if (run.status !== 'queued' && !run.started_at) run.started_at = isoNow();
  if (run.status === 'completed' && !wasCompleted) {
    run.completed_at = isoNow();
    completed(rc, repo, run, sender);
  }
}

function completed(rc: RouteContext, repo: Repo, run: StandInCheckRun, sender: string): void {
  rc.state.emit(repo, 'check_run', { action: 'completed', check_run: checkRunJson(rc, repo, run) }, sender);
  const suite = repo.checkRuns.filter((r) => r.suite_id === run.suite_id);
  if (suite.some((r) => r.status !== 'completed')) return;
  rc.state.emit(
    repo,
    'check_suite',
    { action: 'completed', check_suite: suiteJson(rc, repo, run.suite_id) },
    sender,
  );
}

function suiteJson(rc: RouteContext, repo: Repo, id: number): Record<string, unknown> {
  const runs = repo.checkRuns.filter((r) => r.suite_id === id);
  const done = runs.every((r) => r.status === 'completed');
  const order: Conclusion[] = [
    'action_required',
    'cancelled',
    'timed_out',
    'failure',
    'neutral',
    'skipped',
    'success',
  ];
  const conclusion = done ? (order.find((c) => runs.some((r) => r.conclusion === c)) ?? 'success') : null;
  return {
    id,
    head_sha: runs[0]?.head_sha,
    head_branch: runs[0] ? rc.state.branchOf(repo, runs[0].head_sha) : null,
    status: done ? 'completed' : runs.some((r) => r.status === 'in_progress') ? 'in_progress' : 'queued',
    conclusion,
    app: { slug: runs[0]?.app, name: runs[0]?.app },
    url: rc.state.apiUrl(repo, `/check-suites/${id}`),
    latest_check_runs_count: runs.length,
  };
}

export function registerCheckRoutes(rc: RouteContext): void {
  const { router, state } = rc;
  const sha = (repo: Repo, ref: string): string | undefined => state.resolve(repo, ref);
  const noCommit = (ref: string): Answer => failure(422, `No commit found for SHA: ${ref}`);

  router.add(
    'POST /repos/:owner/:repo/check-runs',
    inRepo(rc, ({ body, login }, repo) => {
      const f = fields(body);
      const name = str(f.name);
      const head = str(f.head_sha) ?? '';
      if (!name) return validationFailed([{ resource: 'CheckRun', field: 'name', code: 'missing_field' }]);
      if (!repo.git.commit(head))
        return validationFailed([{ resource: 'CheckRun', field: 'head_sha', code: 'invalid' }]);
      const run = createCheckRun(
        rc,
        repo,
        { ...(f as Partial<CheckRunInit>), name, head_sha: head, app: login },
        login,
      );
      return ok(checkRunJson(rc, repo, run), 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/check-runs/:id',
    inRepo(rc, ({ params }, repo) => {
      const run = repo.checkRuns.find((r) => String(r.id) === params.id);
      return run ? ok(checkRunJson(rc, repo, run)) : notFound();
    }),
  );

  router.add(
    'PATCH /repos/:owner/:repo/check-runs/:id',
    inRepo(rc, ({ params, body, login }, repo) => {
      const run = repo.checkRuns.find((r) => String(r.id) === params.id);
      if (!run) return notFound();
      updateCheckRun(rc, repo, run, fields(body) as Partial<CheckRunInit>, login);
      return ok(checkRunJson(rc, repo, run));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/commits/:ref/check-runs',
    inRepo(rc, ({ params, query }, repo) => {
      const at = sha(repo, params.ref ?? '');
      if (!at) return noCommit(params.ref ?? '');
      let runs = repo.checkRuns.filter((r) => r.head_sha === at);
      if (query.get('filter') !== 'all') {
        runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.app === r.app && o.id > r.id));
      }
      const name = query.get('check_name');
      const status = query.get('status');
      runs = runs.filter((r) => (!name || r.name === name) && (!status || r.status === status));
      return ok({
        total_count: runs.length,
        check_runs: paginate(runs, query).map((r) => checkRunJson(rc, repo, r)),
      });
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/commits/:ref/check-suites',
    inRepo(rc, ({ params }, repo) => {
      const at = sha(repo, params.ref ?? '');
      if (!at) return noCommit(params.ref ?? '');
      const ids = [...new Set(repo.checkRuns.filter((r) => r.head_sha === at).map((r) => r.suite_id))];
      return ok({ total_count: ids.length, check_suites: ids.map((id) => suiteJson(rc, repo, id)) });
    }),
  );

  const statusJson = (repo: Repo, s: StandInStatus) => ({
    ...s,
    creator: state.user(s.creator),
    url: state.apiUrl(repo, `/statuses/${s.sha}`),
  });

  router.add(
    'POST /repos/:owner/:repo/statuses/:sha',
    inRepo(rc, ({ params, body, login }, repo) => {
      const f = fields(body);
      const at = (params.sha ?? '').toLowerCase();
      const stateValue = str(f.state);
      if (!repo.git.commit(at)) return noCommit(at);
      if (!stateValue || !['error', 'failure', 'pending', 'success'].includes(stateValue)) {
        return validationFailed([{ resource: 'Status', field: 'state', code: 'custom' }]);
      }
      const now = isoNow();
      const status: StandInStatus = {
        id: state.nextId(),
        sha: at,
        state: stateValue as StandInStatus['state'],
        context: str(f.context) ?? 'default',
        description: str(f.description) ?? null,
        target_url: str(f.target_url) ?? null,
        creator: login,
        created_at: now,
        updated_at: now,
      };
      repo.statuses.push(status);
      state.emit(repo, 'status', { ...statusJson(repo, status), branches: [] }, login);
      return ok(statusJson(repo, status), 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/commits/:ref/statuses',
    inRepo(rc, ({ params, query }, repo) => {
      const at = sha(repo, params.ref ?? '');
      if (!at) return noCommit(params.ref ?? '');
      const list = repo.statuses.filter((s) => s.sha === at).reverse();
      return ok(paginate(list, query).map((s) => statusJson(repo, s)));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/commits/:ref/status',
    inRepo(rc, ({ params }, repo) => {
      const at = sha(repo, params.ref ?? '');
      if (!at) return noCommit(params.ref ?? '');
      const latest = combinedStatuses(repo, at);
      const combined = latest.some((s) => s.state === 'failure' || s.state === 'error')
        ? 'failure'
        : latest.length === 0 || latest.some((s) => s.state === 'pending')
          ? 'pending'
          : 'success';
      return ok({
        state: combined,
        sha: at,
        total_count: latest.length,
        statuses: latest.map((s) => statusJson(repo, s)),
        repository: state.repoJson(repo),
      });
    }),
  );
}

/** The latest status per context for a commit. */
export function combinedStatuses(repo: Repo, sha: string): StandInStatus[] {
  const byContext = new Map<string, StandInStatus>();
  for (const s of repo.statuses) if (s.sha === sha) byContext.set(s.context, s);
  return [...byContext.values()];
}
