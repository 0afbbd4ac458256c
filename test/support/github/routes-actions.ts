import { completeRun, createRun, findWorkflow, jobJson, rerunRun, runJson } from './actions-runs.js';
import { inRepo, type RouteContext } from './context.js';
import { type Answer, failure, fields, noContent, notFound, ok, paginate, str } from './http.js';
import type { StandInRun } from './models.js';
import type { Repo } from './state.js';
import { zipFiles } from './zip.js';

/**
 * GitHub Actions:
 *
 *   GET  /repos/:o/:r/actions/workflows, GET …/workflows/:workflow_id     (id or file name)
 *   POST /repos/:o/:r/actions/workflows/:workflow_id/dispatches           {ref, inputs, return_run_details}
 *        ref: a branch or tag (422 "No ref found for: x"); with return_run_details → 200
 *        {workflow_run_id, run_url, html_url}, else 204. `config.runDetails`: 'ignored' answers
 *        204 always (older GHES), 'rejected' answers 422 to the unknown key. A workflow with
 *        `runAppears: false` accepts the dispatch and starts nothing.
 *   GET  /repos/:o/:r/actions/runs, …/workflows/:workflow_id/runs         ?event branch head_sha status actor created
 *   GET  /repos/:o/:r/actions/runs/:run_id, …/attempts/:attempt
 *   GET  /repos/:o/:r/actions/runs/:run_id/jobs                           ?filter=latest|all
 *   GET  /repos/:o/:r/actions/jobs/:job_id, …/jobs/:job_id/logs           logs: 302 to a plain-text URL
 *   POST /repos/:o/:r/actions/runs/:run_id/rerun-failed-jobs, …/rerun     201
 *   POST /repos/:o/:r/actions/runs/:run_id/cancel                         202; 409 when completed
 *   GET  /repos/:o/:r/actions/runs/:run_id/artifacts, GET …/actions/artifacts/:id/zip (302 to a zip)
 * Runs move only when the test says so (startRun / completeRun on the stand-in).
 */

export function registerActionRoutes(rc: RouteContext): void {
  const { router, state } = rc;
  const findRun = (repo: Repo, id: string | undefined) => repo.runs.find((r) => String(r.id) === id);

  const workflowJson = (repo: Repo, w: { id: number; name: string; file: string; state: string }) => ({
    id: w.id,
    node_id: `W_${w.id}`,
    name: w.name,
    path: `.github/workflows/${w.file}`,
    state: w.state,
    url: state.apiUrl(repo, `/actions/workflows/${w.id}`),
    html_url: state.htmlUrl(repo, `/blob/${repo.defaultBranch}/.github/workflows/${w.file}`),
  });

  router.add(
    'GET /repos/:owner/:repo/actions/workflows',
    inRepo(rc, (_ctx, repo) =>
      ok({ total_count: repo.workflows.length, workflows: repo.workflows.map((w) => workflowJson(repo, w)) }),
    ),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/workflows/:workflow_id',
    inRepo(rc, ({ params }, repo) => {
      const w = findWorkflow(repo, params.workflow_id ?? '');
      return w ? ok(workflowJson(repo, w)) : notFound();
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/actions/workflows/:workflow_id/dispatches',
    inRepo(rc, ({ params, body, login }, repo): Answer => {
      const workflow = findWorkflow(repo, params.workflow_id ?? '');
      if (!workflow) return notFound();
      const f = fields(body);
      const wantsDetails = f.return_run_details === true;
      if (f.return_run_details !== undefined && rc.config.runDetails === 'rejected') {
        return failure(422, `Invalid request.\n\n"return_run_details" is not a permitted key.`);
      }
      if (!workflow.on.includes('workflow_dispatch')) {
        return failure(422, "Workflow does not have 'workflow_dispatch' trigger");
      }
      const refName = (str(f.ref) ?? '').replace(/^refs\/(heads|tags)\//, '');
      const sha = repo.refs.get(`refs/heads/${refName}`) ?? repo.refs.get(`refs/tags/${refName}`);
      if (!sha) return failure(422, `No ref found for: ${str(f.ref) ?? ''}`);
      const inputs = Object.fromEntries(Object.entries(fields(f.inputs)).map(([k, v]) => [k, String(v)]));
      if (workflow.runAppears === false) return noContent();
      const branch = repo.refs.has(`refs/heads/${refName}`) ? refName : null;
      const run = createRun(rc, repo, workflow, {
        event: 'workflow_dispatch',
        branch,
        sha,
        inputs,
        actor: login,
      });
      if (!wantsDetails || rc.config.runDetails !== 'supported') return noContent();
      return ok({
        workflow_run_id: run.id,
        run_url: state.apiUrl(repo, `/actions/runs/${run.id}`),
        html_url: state.htmlUrl(repo, `/actions/runs/${run.id}`),
      });
    }),
  );

  const listRuns = (repo: Repo, query: URLSearchParams, workflowId?: number) => {
    const created = query.get('created');
    const runs = repo.runs
      .filter((r) => workflowId === undefined || r.workflow_id === workflowId)
      .filter((r) => !query.get('event') || r.event === query.get('event'))
      .filter((r) => !query.get('branch') || r.head_branch === query.get('branch'))
      .filter((r) => !query.get('head_sha') || r.head_sha === query.get('head_sha'))
      .filter((r) => !query.get('actor') || r.actor === query.get('actor'))
      .filter(
        (r) =>
          !query.get('status') || r.status === query.get('status') || r.conclusion === query.get('status'),
      )
      .filter((r) => !created || createdMatches(r, created))
      .sort((a, b) => b.id - a.id);
    return ok({
      total_count: runs.length,
      workflow_runs: paginate(runs, query).map((r) => runJson(rc, repo, r)),
    });
  };

  router.add(
    'GET /repos/:owner/:repo/actions/runs',
    inRepo(rc, ({ query }, repo) => listRuns(repo, query)),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/workflows/:workflow_id/runs',
    inRepo(rc, ({ params, query }, repo) => {
      const w = findWorkflow(repo, params.workflow_id ?? '');
      return w ? listRuns(repo, query, w.id) : notFound();
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/runs/:run_id',
    inRepo(rc, ({ params }, repo) => {
      const run = findRun(repo, params.run_id);
      return run ? ok(runJson(rc, repo, run)) : notFound();
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt',
    inRepo(rc, ({ params }, repo) => {
      const run = findRun(repo, params.run_id);
      const n = Number(params.attempt);
      if (!run || n < 1 || n > run.run_attempt) return notFound();
      return ok({ ...runJson(rc, repo, run), run_attempt: n });
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/runs/:run_id/jobs',
    inRepo(rc, ({ params, query }, repo) => {
      const run = findRun(repo, params.run_id);
      if (!run) return notFound();
      const jobs =
        query.get('filter') === 'all' ? run.jobs : run.jobs.filter((j) => j.run_attempt === run.run_attempt);
      return ok({
        total_count: jobs.length,
        jobs: paginate(jobs, query).map((j) => jobJson(rc, repo, run, j)),
      });
    }),
  );

  const findJob = (repo: Repo, id: string | undefined) => {
    for (const run of repo.runs) {
      const job = run.jobs.find((j) => String(j.id) === id);
      if (job) return { run, job };
    }
    return undefined;
  };

  router.add(
    'GET /repos/:owner/:repo/actions/jobs/:job_id',
    inRepo(rc, ({ params }, repo) => {
      const found = findJob(repo, params.job_id);
      return found ? ok(jobJson(rc, repo, found.run, found.job)) : notFound();
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/jobs/:job_id/logs',
    inRepo(rc, ({ params }, repo) => {
      const found = findJob(repo, params.job_id);
      if (!found) return notFound();
      return {
        status: 302,
        headers: { location: `${state.baseUrl}/_standin/logs/${repo.full}/${found.job.id}` },
      };
    }),
  );

  router.add('GET /_standin/logs/:owner/:repo/:job_id', ({ params }) => {
    const repo = state.repo(params);
    const found = repo && findJob(repo, params.job_id);
    return found ? { status: 200, text: found.job.log } : notFound();
  });

  const rerun = (onlyFailed: boolean) =>
    inRepo(rc, ({ params }, repo) => {
      const run = findRun(repo, params.run_id);
      if (!run) return notFound();
      if (run.status !== 'completed') return failure(403, 'This workflow is already running');
      rerunRun(rc, repo, run, onlyFailed);
      return ok({}, 201);
    });
  router.add('POST /repos/:owner/:repo/actions/runs/:run_id/rerun-failed-jobs', rerun(true));
  router.add('POST /repos/:owner/:repo/actions/runs/:run_id/rerun', rerun(false));

  router.add(
    'POST /repos/:owner/:repo/actions/runs/:run_id/cancel',
    inRepo(rc, ({ params }, repo) => {
      const run = findRun(repo, params.run_id);
      if (!run) return notFound();
      if (run.status === 'completed') return failure(409, 'Cannot cancel a workflow run that is completed.');
      completeRun(rc, repo, run, 'cancelled');
      return ok({}, 202);
    }),
  );

  const artifactJson = (
    repo: Repo,
    a: { id: number; name: string; run_id: number; files: Record<string, string> },
  ) => ({
    id: a.id,
    node_id: `A_${a.id}`,
    name: a.name,
    size_in_bytes: zipFiles(a.files).length,
    expired: false,
    url: state.apiUrl(repo, `/actions/artifacts/${a.id}`),
    archive_download_url: state.apiUrl(repo, `/actions/artifacts/${a.id}/zip`),
    workflow_run: { id: a.run_id },
  });

  router.add(
    'GET /repos/:owner/:repo/actions/runs/:run_id/artifacts',
    inRepo(rc, ({ params, query }, repo) => {
      if (!findRun(repo, params.run_id)) return notFound();
      const name = query.get('name');
      const list = repo.artifacts.filter(
        (a) => String(a.run_id) === params.run_id && (!name || a.name === name),
      );
      return ok({ total_count: list.length, artifacts: list.map((a) => artifactJson(repo, a)) });
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/artifacts/:artifact_id',
    inRepo(rc, ({ params }, repo) => {
      const a = repo.artifacts.find((x) => String(x.id) === params.artifact_id);
      return a ? ok(artifactJson(repo, a)) : notFound();
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/actions/artifacts/:artifact_id/:format',
    inRepo(rc, ({ params }, repo) => {
      const a = repo.artifacts.find((x) => String(x.id) === params.artifact_id);
      if (!a || params.format !== 'zip') return notFound();
      return {
        status: 302,
        headers: { location: `${state.baseUrl}/_standin/artifacts/${repo.full}/${a.id}.zip` },
      };
    }),
  );

  router.add('GET /_standin/artifacts/:owner/:repo/:file', ({ params }) => {
    const a = state.repo(params)?.artifacts.find((x) => `${x.id}.zip` === params.file);
    return a ? { status: 200, raw: zipFiles(a.files) } : notFound();
  });
}

/** GitHub's `created` filter: '>=T', '<=T', '>T', '<T', 'A..B', or a date. */
function createdMatches(run: StandInRun, filter: string): boolean {
  const at = Date.parse(run.created_at);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range) return at >= Date.parse(range[1] ?? '') && at <= Date.parse(range[2] ?? '');
  const m = /^(>=|<=|>|<)?(.+)$/.exec(filter);
  const t = Date.parse(m?.[2] ?? '');
  switch (m?.[1]) {
    case '>=':
      return at >= t;
    case '<=':
      return at <= t;
    case '>':
      return at > t;
    case '<':
      return at < t;
    default:
      return run.created_at.startsWith(m?.[2] ?? '');
  }
}
