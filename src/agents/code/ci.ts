import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { sleepUnlessAborted as sleep } from '../../services/deadline.js';
import type { RepoRef } from './workspace.js';

/**
 * CI as the sandbox: the repository's own checks run the code, never the bot's host. After a
 * push, follow the workflow runs (and other check runs) for that exact SHA until they finish;
 * on failure, hand back the failing job's log tail for the model to read.
 */

export interface CiOptions {
  signal: AbortSignal;
  /** How long to wait for all checks of one commit. */
  timeoutMs: number;
  /** How long a commit may stay without any run or check before "no CI ran". */
  appearMs: number;
  pollMs: number;
  now?: () => number;
}

export type CiVerdict =
  | { state: 'passed'; report: string }
  | { state: 'failed'; report: string }
  | { state: 'none'; report: string }
  | { state: 'timeout'; report: string };

/** Lines and characters of a failing job's log fed back to the model. */
const LOG_TAIL_LINES = 80;
const LOG_TAIL_CHARS = 8_000;

const RunsSchema = z.object({
  workflow_runs: z.array(
    z.object({
      id: z.number(),
      name: z.string().nullish(),
      status: z.string().nullish(),
      conclusion: z.string().nullish(),
    }),
  ),
});
const JobsSchema = z.object({
  jobs: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      conclusion: z.string().nullish(),
      steps: z.array(z.object({ name: z.string(), conclusion: z.string().nullish() })).optional(),
    }),
  ),
});
const ChecksSchema = z.object({
  total_count: z.number(),
  check_runs: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      conclusion: z.string().nullish(),
      app: z.object({ slug: z.string().nullish() }).nullish(),
      output: z.object({ summary: z.string().nullish(), text: z.string().nullish() }).nullish(),
    }),
  ),
});
const WorkflowsSchema = z.object({ total_count: z.number() });

const PASSING = new Set(['success', 'neutral', 'skipped']);

/** Whether the repository has any CI to follow: Actions workflows, or checks on the base commit. */
export async function repoHasCi(
  github: Octokit,
  ref: RepoRef,
  baseSha: string,
  signal: AbortSignal,
): Promise<boolean> {
  const workflows = WorkflowsSchema.parse(
    (await github.rest.actions.listRepoWorkflows({ ...ref, per_page: 1, request: { signal } })).data,
  );
  if (workflows.total_count > 0) return true;
  const checks = ChecksSchema.parse(
    (await github.rest.checks.listForRef({ ...ref, ref: baseSha, per_page: 1, request: { signal } })).data,
  );
  return checks.total_count > 0;
}

export async function followChecks(
  github: Octokit,
  ref: RepoRef,
  sha: string,
  o: CiOptions,
): Promise<CiVerdict> {
  const now = o.now ?? Date.now;
  const started = now();
  const request = { signal: o.signal };
  for (;;) {
    const runs = RunsSchema.parse(
      (await github.rest.actions.listWorkflowRunsForRepo({ ...ref, head_sha: sha, per_page: 50, request }))
        .data,
    ).workflow_runs;
    const checks = ChecksSchema.parse(
      (await github.rest.checks.listForRef({ ...ref, ref: sha, per_page: 100, request })).data,
    ).check_runs.filter((c) => c.app?.slug !== 'github-actions');
    const elapsed = now() - started;
    if (runs.length === 0 && checks.length === 0) {
      if (elapsed >= o.appearMs) {
        return {
          state: 'none',
          report: 'No CI run started for this commit: the repository runs no checks on this branch.',
        };
      }
    } else if (runs.every((r) => r.status === 'completed') && checks.every((c) => c.status === 'completed')) {
      const failedRuns = runs.filter((r) => !PASSING.has(r.conclusion ?? ''));
      const failedChecks = checks.filter((c) => !PASSING.has(c.conclusion ?? ''));
      if (failedRuns.length === 0 && failedChecks.length === 0) {
        return { state: 'passed', report: `CI passed (${runs.length + checks.length} check(s)).` };
      }
      const parts: string[] = [];
      for (const run of failedRuns) parts.push(await failedRunReport(github, ref, run, request));
      for (const c of failedChecks) {
        parts.push(
          `Check "${c.name}" ${c.conclusion ?? 'failed'}:\n${(c.output?.text ?? c.output?.summary ?? '').slice(-LOG_TAIL_CHARS)}`,
        );
      }
      return { state: 'failed', report: `CI failed.\n\n${parts.join('\n\n')}` };
    }
    if (elapsed >= o.timeoutMs) {
      return { state: 'timeout', report: `CI did not finish within ${Math.round(o.timeoutMs / 1000)} s.` };
    }
    await sleep(o.pollMs, o.signal);
  }
}

async function failedRunReport(
  github: Octokit,
  ref: RepoRef,
  run: { id: number; name?: string | null | undefined; conclusion?: string | null | undefined },
  request: { signal: AbortSignal },
): Promise<string> {
  const jobs = JobsSchema.parse(
    (await github.rest.actions.listJobsForWorkflowRun({ ...ref, run_id: run.id, filter: 'latest', request }))
      .data,
  ).jobs.filter((j) => !PASSING.has(j.conclusion ?? ''));
  const out: string[] = [];
  for (const job of jobs) {
    const step = job.steps?.find((s) => s.conclusion === 'failure')?.name;
    const res = await github.rest.actions.downloadJobLogsForWorkflowRun({ ...ref, job_id: job.id, request });
    const log = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    out.push(
      `Workflow "${run.name ?? run.id}", job "${job.name}"${step ? `, step "${step}"` : ''} failed. Log tail:\n${logTail(log)}`,
    );
  }
  return out.join('\n\n') || `Workflow "${run.name ?? run.id}" ended ${run.conclusion ?? 'without success'}.`;
}

/** The last lines of a job log, without GitHub's timestamps. */
export function logTail(log: string): string {
  const lines = log
    .split('\n')
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z\s?/, ''))
    .filter((l) => l.trim() !== '');
  return lines.slice(-LOG_TAIL_LINES).join('\n').slice(-LOG_TAIL_CHARS);
}
