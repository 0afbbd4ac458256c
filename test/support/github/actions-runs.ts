import type { RouteContext } from './context.js';
import { isoNow } from './http.js';
import type { Conclusion, StandInJob, StandInRun, StandInWorkflow, WorkflowJobSpec } from './models.js';
import { createCheckRun, updateCheckRun } from './routes-checks.js';
import type { Repo } from './state.js';

/**
 * Workflow runs and their life, driven by the test: a run is created queued (by a dispatch, a
 * push or a pull request), then `startRun` and `completeRun(conclusion, {job, step, log})` move
 * it on. Each job is also a check run on the head SHA (as GitHub Actions' are), so
 * `checks.listForRef` follows CI too. Job logs look like GitHub's (timestamped lines,
 * ##[group] and ##[error]).
 */

export interface RunInit {
  event: string;
  branch: string | null;
  sha: string;
  inputs?: Record<string, string>;
  actor: string;
  pullNumbers?: number[];
}

export interface CompleteOptions {
  /** The job that fails (default the first) when the conclusion is not success. */
  job?: string;
  /** The step that fails in it (default its last step). */
  step?: string;
  /** Extra log lines of the failing step (e.g. the compiler's error). */
  log?: string;
}

export interface WorkflowSpec {
  /** File name under .github/workflows, e.g. 'build.yml'. */
  file: string;
  name?: string;
  /** `run-name:`, e.g. 'Build ${{ inputs.correlation_id }}'. */
  runName?: string;
  /** Default: one job 'build' with three steps. */
  jobs?: WorkflowJobSpec[];
  /** Default ['workflow_dispatch']; add 'push' and/or 'pull_request' for CI on pushes and PRs. */
  on?: string[];
  runAppears?: boolean;
}

const DEFAULT_JOBS: WorkflowJobSpec[] = [
  { name: 'build', steps: [{ name: 'Set up job' }, { name: 'Run build' }, { name: 'Complete job' }] },
];

export function defineWorkflow(rc: RouteContext, repo: Repo, spec: WorkflowSpec): StandInWorkflow {
  const workflow: StandInWorkflow = {
    id: rc.state.nextId(),
    file: spec.file,
    name: spec.name ?? spec.file.replace(/\.ya?ml$/, ''),
    ...(spec.runName ? { runName: spec.runName } : {}),
    jobs: spec.jobs ?? DEFAULT_JOBS,
    on: spec.on ?? ['workflow_dispatch'],
    state: 'active',
    ...(spec.runAppears === false ? { runAppears: false } : {}),
  };
  repo.workflows.push(workflow);
  return workflow;
}

export function findWorkflow(repo: Repo, idOrFile: string): StandInWorkflow | undefined {
  return repo.workflows.find((w) => String(w.id) === idOrFile || w.file === idOrFile);
}

function expand(
  template: string,
  run: { inputs: Record<string, string>; head_sha: string; actor: string },
): string {
  return template.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_m, expr: string) => {
    if (expr.startsWith('inputs.')) return run.inputs[expr.slice(7)] ?? '';
    if (expr === 'github.sha') return run.head_sha;
    if (expr === 'github.actor') return run.actor;
    return '';
  });
}

export function createRun(
  rc: RouteContext,
  repo: Repo,
  workflow: StandInWorkflow,
  init: RunInit,
): StandInRun {
  const now = isoNow();
  const inputs = init.inputs ?? {};
  const run: StandInRun = {
    id: rc.state.nextId(),
    workflow_id: workflow.id,
    name: workflow.name,
    display_title: '',
    run_number: repo.runs.filter((r) => r.workflow_id === workflow.id).length + 1,
    run_attempt: 1,
    event: init.event,
    status: 'queued',
    conclusion: null,
    head_branch: init.branch,
    head_sha: init.sha,
    actor: init.actor,
    inputs,
    created_at: now,
    updated_at: now,
    run_started_at: now,
    jobs: [],
    pull_numbers: init.pullNumbers ?? [],
  };
  run.display_title = workflow.runName
    ? expand(workflow.runName, run)
    : (rc.state.repos.get(repo.full.toLowerCase())?.git.commit(init.sha)?.message.split('\n')[0] ??
      workflow.name);
  repo.runs.push(run);
  addJobs(rc, repo, run, workflow.jobs);
  emitRun(rc, repo, run, 'requested');
  return run;
}

function addJobs(rc: RouteContext, repo: Repo, run: StandInRun, specs: WorkflowJobSpec[]): void {
  for (const spec of specs) {
    const job: StandInJob = {
      id: rc.state.nextId(),
      run_id: run.id,
      run_attempt: run.run_attempt,
      name: spec.name,
      status: 'queued',
      conclusion: null,
      started_at: null,
      completed_at: null,
      steps: spec.steps.map((s, i) => ({ name: s.name, number: i + 1, status: 'queued', conclusion: null })),
      log: '',
      check_run_id: createCheckRun(
        rc,
        repo,
        { name: spec.name, head_sha: run.head_sha, status: 'queued' },
        run.actor,
      ).id,
    };
    run.jobs.push(job);
  }
}

function currentJobs(run: StandInRun): StandInJob[] {
  return run.jobs.filter((j) => j.run_attempt === run.run_attempt);
}

function syncCheck(rc: RouteContext, repo: Repo, job: StandInJob): void {
  const check = repo.checkRuns.find((c) => c.id === job.check_run_id);
  if (!check) return;
  updateCheckRun(
    rc,
    repo,
    check,
    { status: job.status, ...(job.conclusion ? { conclusion: job.conclusion } : {}) },
    'github-actions[bot]',
  );
}

export function startRun(rc: RouteContext, repo: Repo, run: StandInRun): void {
  if (run.status === 'completed') return;
  run.status = 'in_progress';
  run.updated_at = isoNow();
  for (const job of currentJobs(run)) {
    if (job.status !== 'queued') continue;
    job.status = 'in_progress';
    job.started_at = isoNow();
    const first = job.steps[0];
    if (first) first.status = 'in_progress';
    syncCheck(rc, repo, job);
  }
  emitRun(rc, repo, run, 'in_progress');
}

export function completeRun(
  rc: RouteContext,
  repo: Repo,
  run: StandInRun,
  conclusion: Conclusion,
  options: CompleteOptions = {},
): void {
  if (run.status === 'queued') startRun(rc, repo, run);
  const jobs = currentJobs(run).filter((j) => j.status !== 'completed');
  const failing =
    conclusion === 'success' ? undefined : (jobs.find((j) => j.name === options.job) ?? jobs[0]);
  for (const job of jobs) {
    const failedStep = job === failing ? (options.step ?? job.steps[job.steps.length - 1]?.name) : undefined;
    let failedYet = false;
    const lines: string[] = [];
    for (const step of job.steps) {
      step.status = 'completed';
      if (failedYet) {
        step.conclusion = 'skipped';
        continue;
      }
      const fails = step.name === failedStep;
      step.conclusion = fails ? (conclusion === 'cancelled' ? 'cancelled' : 'failure') : 'success';
      lines.push(`##[group]Run ${step.name}`, `${step.name}`, '##[endgroup]');
      if (fails) {
        if (options.log) lines.push(...options.log.split('\n'));
        lines.push('##[error]Process completed with exit code 1.');
        failedYet = true;
      }
    }
    const stamp = isoNow().replace('Z', '.0000000Z');
    job.log = `${lines.map((l) => `${stamp} ${l}`).join('\n')}\n`;
    job.status = 'completed';
    job.conclusion = job === failing ? conclusion : conclusion === 'cancelled' ? 'cancelled' : 'success';
    job.completed_at = isoNow();
    syncCheck(rc, repo, job);
  }
  run.status = 'completed';
  run.conclusion = conclusion;
  run.updated_at = isoNow();
  emitRun(rc, repo, run, 'completed');
}

/** Re-runs the failed jobs (or all) as a new attempt, queued again. */
export function rerunRun(rc: RouteContext, repo: Repo, run: StandInRun, onlyFailed: boolean): void {
  const previous = currentJobs(run);
  const again = onlyFailed ? previous.filter((j) => j.conclusion !== 'success') : previous;
  const workflow = repo.workflows.find((w) => w.id === run.workflow_id);
  run.run_attempt++;
  run.status = 'queued';
  run.conclusion = null;
  run.run_started_at = isoNow();
  run.updated_at = run.run_started_at;
  // Jobs that passed carry over into the new attempt as they were.
  for (const kept of previous.filter((j) => !again.includes(j)))
    run.jobs.push({ ...kept, run_attempt: run.run_attempt });
  const specs = (workflow?.jobs ?? DEFAULT_JOBS).filter((s) => again.some((j) => j.name === s.name));
  addJobs(rc, repo, run, specs);
  emitRun(rc, repo, run, 'requested');
}

export function runJson(rc: RouteContext, repo: Repo, run: StandInRun): Record<string, unknown> {
  const workflow = repo.workflows.find((w) => w.id === run.workflow_id);
  const url = rc.state.apiUrl(repo, `/actions/runs/${run.id}`);
  return {
    id: run.id,
    node_id: `WFR_${run.id}`,
    name: run.name,
    display_title: run.display_title,
    path: `.github/workflows/${workflow?.file ?? 'unknown.yml'}`,
    workflow_id: run.workflow_id,
    run_number: run.run_number,
    run_attempt: run.run_attempt,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    head_branch: run.head_branch,
    head_sha: run.head_sha,
    actor: rc.state.user(run.actor),
    triggering_actor: rc.state.user(run.actor),
    created_at: run.created_at,
    updated_at: run.updated_at,
    run_started_at: run.run_started_at,
    url,
    html_url: rc.state.htmlUrl(repo, `/actions/runs/${run.id}`),
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: rc.state.apiUrl(repo, `/actions/workflows/${run.workflow_id}`),
    head_commit: { id: run.head_sha },
    repository: rc.state.repoJson(repo),
    pull_requests: run.pull_numbers.map((n) => ({ number: n, url: rc.state.apiUrl(repo, `/pulls/${n}`) })),
  };
}

export function jobJson(
  rc: RouteContext,
  repo: Repo,
  run: StandInRun,
  job: StandInJob,
): Record<string, unknown> {
  return {
    id: job.id,
    run_id: job.run_id,
    run_attempt: job.run_attempt,
    workflow_name: run.name,
    head_branch: run.head_branch,
    head_sha: run.head_sha,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion,
    started_at: job.started_at,
    completed_at: job.completed_at,
    steps: job.steps,
    url: rc.state.apiUrl(repo, `/actions/jobs/${job.id}`),
    html_url: rc.state.htmlUrl(repo, `/actions/runs/${run.id}/job/${job.id}`),
    run_url: rc.state.apiUrl(repo, `/actions/runs/${run.id}`),
    check_run_url: rc.state.apiUrl(repo, `/check-runs/${job.check_run_id}`),
    labels: ['ubuntu-latest'],
  };
}

function emitRun(rc: RouteContext, repo: Repo, run: StandInRun, action: string): void {
  const workflow = repo.workflows.find((w) => w.id === run.workflow_id);
  rc.state.emit(
    repo,
    'workflow_run',
    {
      action,
      workflow_run: runJson(rc, repo, run),
      workflow: { id: workflow?.id, name: workflow?.name, path: `.github/workflows/${workflow?.file}` },
    },
    run.actor,
  );
}
