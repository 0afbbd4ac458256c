/**
 * Starting the build workflow and finding the run it started. With `return_run_details` the
 * server names the run; an older server (GitHub Enterprise) answers 204 or refuses the flag, and
 * then the run is found by the correlation id its `run-name` echoes, among workflow_dispatch runs
 * created since just before the dispatch. Never "the newest run": another dispatch may be newer.
 */
import type { Octokit } from '@octokit/rest';
import { z } from 'zod';

export interface RepoRef {
  owner: string;
  repo: string;
}

export const RunSchema = z.object({
  id: z.number(),
  name: z.string().nullish(),
  display_title: z.string().nullish(),
  status: z.string().nullish(),
  conclusion: z.string().nullish(),
  head_sha: z.string(),
  run_attempt: z.number().nullish(),
  html_url: z.string(),
  event: z.string().nullish(),
});
export type WorkflowRun = z.infer<typeof RunSchema>;

const RunsSchema = z.object({ workflow_runs: z.array(RunSchema) });
const DetailsSchema = z.object({ workflow_run_id: z.number() });

export interface DispatchRequest {
  ref: RepoRef;
  workflow: string;
  /** The branch the merge landed on. */
  branch: string;
  sha: string;
  correlationId: string;
  signal: AbortSignal;
}

/** Dispatches; returns the run id when the server told it, else null (find it with `findRun`). */
export async function dispatchBuild(github: Octokit, d: DispatchRequest): Promise<number | null> {
  const params = {
    ...d.ref,
    workflow_id: d.workflow,
    ref: d.branch,
    inputs: { sha: d.sha, correlation_id: d.correlationId },
    request: { signal: d.signal },
  };
  try {
    const res = await github.rest.actions.createWorkflowDispatch({ ...params, return_run_details: true });
    const details = DetailsSchema.safeParse(res.data);
    return details.success ? details.data.workflow_run_id : null;
  } catch (err) {
    // A server that does not know the flag refuses it with 422: dispatch again without it.
    if ((err as { status?: number }).status !== 422 || !/return_run_details/.test(String(err))) throw err;
    await github.rest.actions.createWorkflowDispatch(params);
    return null;
  }
}

/** `created` filter value: GitHub's timestamps have one-second precision, so drop milliseconds. */
export function createdSince(t0: Date): string {
  return `>=${t0.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/** The dispatched run whose name carries the correlation id, or null when none appeared yet. */
export async function findRun(
  github: Octokit,
  ref: RepoRef,
  workflow: string,
  correlationId: string,
  t0: Date,
  signal: AbortSignal,
): Promise<WorkflowRun | null> {
  const res = await github.rest.actions.listWorkflowRuns({
    ...ref,
    workflow_id: workflow,
    event: 'workflow_dispatch',
    created: createdSince(t0),
    per_page: 100,
    request: { signal },
  });
  const runs = RunsSchema.parse(res.data).workflow_runs;
  return (
    runs.find(
      (r) => (r.name ?? '').includes(correlationId) || (r.display_title ?? '').includes(correlationId),
    ) ?? null
  );
}

export async function getRun(
  github: Octokit,
  ref: RepoRef,
  runId: number,
  signal: AbortSignal,
): Promise<WorkflowRun> {
  const res = await github.rest.actions.getWorkflowRun({ ...ref, run_id: runId, request: { signal } });
  return RunSchema.parse(res.data);
}
