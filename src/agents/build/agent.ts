/**
 * The `build` step (Phase 3): after a task's PR is merged, dispatch BUILD_WORKFLOW on the merge
 * commit, follow that run to its conclusion and record what it built. Each state it passes is
 * written to the step (the card names it). Dispatch happens at most once per step: the effects
 * ledger records it, and a step resumed after a crash finds its run by the correlation id.
 */
import type { Octokit } from '@octokit/rest';
import type { BuildConfig } from '../../config-build.js';
import { parseBuildKey } from '../../domain/pipeline.js';
import { sleepUnlessAborted as sleep } from '../../services/deadline.js';
import { classifyError } from '../error-classification.js';
import { type Agent, type AgentContext, AgentError } from '../types.js';
import { dispatchBuild, findRun, getRun, type RepoRef, type WorkflowRun } from './dispatch.js';
import { failureReport, imageRefArtifact } from './report.js';

export const BUILD_STATES = [
  'dispatched',
  'queued',
  'in_progress',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'no_run',
] as const;
export type BuildState = (typeof BUILD_STATES)[number];

/** The step's output, while it runs (progress) and once it ends; the card reads it. */
export interface BuildProgress extends Record<string, unknown> {
  state: BuildState;
  repo: string;
  pull: number;
  sha: string;
  workflow: string;
  runId: number | null;
  runAttempt: number | null;
  runUrl: string | null;
  headSha: string | null;
  image: string | null;
  job: string | null;
  step: string | null;
  logTail: string | null;
}

export interface BuildAgentOptions {
  github: Octokit | null;
  settings: BuildConfig;
  onProgress?: (ctx: AgentContext, progress: BuildProgress) => Promise<void>;
  now?: () => number;
}

export function createBuildAgent(options: BuildAgentOptions): Agent {
  return {
    name: 'build',
    run: (ctx) => runBuild(options, ctx),
  };
}

async function runBuild(o: BuildAgentOptions, ctx: AgentContext): Promise<BuildProgress> {
  const trigger = parseBuildKey(ctx.idempotencyKey);
  if (!trigger) throw new AgentError('This build step does not name a merge commit.', 'permanent');
  const workflow = o.settings.workflow;
  if (!o.github || !workflow) {
    throw new AgentError('No build workflow is configured.', 'permanent', {
      detail: 'Set BUILD_WORKFLOW (and GITHUB_TOKEN) to build merged pull requests.',
    });
  }
  const github = o.github;
  const now = o.now ?? Date.now;
  const [owner, repo] = trigger.repo.split('/') as [string, string];
  const ref: RepoRef = { owner, repo };
  let progress: BuildProgress = {
    state: 'dispatched',
    repo: trigger.repo,
    pull: trigger.pull,
    sha: trigger.sha,
    workflow,
    runId: null,
    runAttempt: null,
    runUrl: null,
    headSha: null,
    image: null,
    job: null,
    step: null,
    logTail: null,
  };
  const report = async (change: Partial<BuildProgress>) => {
    const next = { ...progress, ...change };
    const changed = JSON.stringify(next) !== JSON.stringify(progress);
    progress = next;
    if (changed) await o.onProgress?.(ctx, progress);
  };
  const fail = async (change: Partial<BuildProgress>, message: string, detail?: string): Promise<never> => {
    await report(change);
    throw new AgentError(message, 'permanent', detail ? { detail } : {});
  };

  try {
    const correlationId = `orch-${ctx.runId}`;
    const { runId, t0 } = await dispatchOnce(github, ctx, {
      ref,
      workflow,
      sha: trigger.sha,
      pull: trigger.pull,
      correlationId,
      appearMs: o.settings.appearMs,
      now,
    });
    await report({ state: 'dispatched' });
    const started = now();
    let run: WorkflowRun | null = runId ? await getRun(github, ref, runId, ctx.signal) : null;
    for (;;) {
      if (!run) {
        run = await findRun(github, ref, workflow, correlationId, new Date(t0), ctx.signal);
        if (!run && now() - t0 > o.settings.appearMs) {
          await fail(
            { state: 'no_run' },
            `The build was dispatched but no run appeared within ${Math.round(o.settings.appearMs / 1000)} s.`,
            `Check that ${workflow} has a workflow_dispatch trigger with inputs sha and correlation_id, and run-name: containing \${{ inputs.correlation_id }}.`,
          );
        }
      } else {
        run = await getRun(github, ref, run.id, ctx.signal);
      }
      if (run) {
        await report({
          state: run.status === 'completed' ? progress.state : stateOf(run.status),
          runId: run.id,
          runAttempt: run.run_attempt ?? 1,
          runUrl: run.html_url,
          headSha: run.head_sha,
        });
        if (run.status === 'completed') break;
      }
      if (now() - started > o.settings.timeoutMs) {
        await fail(
          { state: 'timed_out' },
          `The build did not finish within ${Math.round(o.settings.timeoutMs / 60_000)} min.`,
        );
      }
      await sleep(o.settings.pollMs, ctx.signal);
    }
    return await conclude(
      o,
      github,
      ref,
      run,
      trigger.sha,
      { report, fail, current: () => progress },
      ctx.signal,
    );
  } catch (err) {
    throw classifyError(err, 'Build');
  }
}

interface Tracker {
  report: (change: Partial<BuildProgress>) => Promise<void>;
  fail: (change: Partial<BuildProgress>, message: string, detail?: string) => Promise<never>;
  current: () => BuildProgress;
}

async function conclude(
  o: BuildAgentOptions,
  github: Octokit,
  ref: RepoRef,
  run: WorkflowRun,
  sha: string,
  tracker: Tracker,
  signal: AbortSignal,
): Promise<BuildProgress> {
  const { report, fail, current } = tracker;
  const link = `<${run.html_url}|run ${run.id}>`;
  if (run.conclusion === 'success') {
    if (run.head_sha !== sha) {
      return fail(
        { state: 'failed' },
        `The build ran on ${run.head_sha.slice(0, 7)}, not on the merge commit ${sha.slice(0, 7)} (${link}).`,
        'The branch moved before the run started; merge commits are built by SHA input, so the workflow must check out inputs.sha.',
      );
    }
    const image =
      (await imageRefArtifact(github, ref, run.id, signal)) ??
      (o.settings.imageRepository ? `${o.settings.imageRepository}:${sha}` : null);
    if (!image) {
      return fail(
        { state: 'failed' },
        `The build succeeded but named no image (${link}).`,
        'Set IMAGE_REPOSITORY, or have the workflow upload an artifact named image-ref.',
      );
    }
    await report({ state: 'succeeded', image });
    return current();
  }
  if (run.conclusion === 'cancelled')
    return fail({ state: 'cancelled' }, `The build run was cancelled (${link}).`);
  if (run.conclusion === 'timed_out')
    return fail({ state: 'timed_out' }, `The build run timed out (${link}).`);
  const where = await failureReport(github, ref, run.id, signal);
  const place = [where.job ? `job “${where.job}”` : null, where.step ? `step “${where.step}”` : null]
    .filter(Boolean)
    .join(', ');
  return fail(
    { state: 'failed', job: where.job, step: where.step, logTail: where.logTail },
    `The build failed${place ? ` in ${place}` : ''} (${link}).`,
    // The runner keeps one line of detail: the last lines of the log, joined.
    where.logTail ? `${place || 'the run'}: ${where.logTail.split('\n').slice(-4).join(' ⏎ ')}` : undefined,
  );
}

interface DispatchPlan {
  ref: RepoRef;
  workflow: string;
  sha: string;
  pull: number;
  correlationId: string;
  appearMs: number;
  now: () => number;
}

/**
 * Dispatches once per step. A finished record gives the run (or the time to search from); a
 * record left "started" by a crash means the dispatch may have happened: look for its run first.
 */
async function dispatchOnce(
  github: Octokit,
  ctx: AgentContext,
  p: DispatchPlan,
): Promise<{ runId: number | null; t0: number }> {
  const key = `${ctx.idempotencyKey}:dispatch`;
  const record = await ctx.effects?.get(key);
  if (record?.status === 'done') {
    const t0 = Number(record.detail?.t0 ?? p.now());
    return { runId: record.externalId ? Number(record.externalId) : null, t0 };
  }
  if (record?.status === 'started') {
    const since = p.now() - Math.max(p.appearMs, 60_000) * 2;
    const found = await findRun(github, p.ref, p.workflow, p.correlationId, new Date(since), ctx.signal);
    if (found) {
      await ctx.effects?.complete(key, String(found.id), { t0: since });
      return { runId: found.id, t0: since };
    }
  }
  const { data: pull } = await github.rest.pulls.get({
    ...p.ref,
    pull_number: p.pull,
    request: { signal: ctx.signal },
  });
  if (!pull.merged || pull.merge_commit_sha !== p.sha) {
    throw new AgentError(
      `PR #${p.pull} is not merged at ${p.sha.slice(0, 7)}; nothing to build.`,
      'permanent',
    );
  }
  await ctx.effects?.begin(key, 'build-dispatch');
  // One second back: GitHub's timestamps have one-second precision.
  const t0 = p.now() - 1_000;
  const runId = await dispatchBuild(github, {
    ref: p.ref,
    workflow: p.workflow,
    branch: pull.base.ref,
    sha: p.sha,
    correlationId: p.correlationId,
    signal: ctx.signal,
  });
  await ctx.effects?.complete(key, runId === null ? null : String(runId), { t0 });
  return { runId, t0 };
}

/** GitHub's run statuses before `completed`, as the card names them. */
function stateOf(status: string | null | undefined): BuildState {
  return status && ['queued', 'waiting', 'pending', 'requested'].includes(status) ? 'queued' : 'in_progress';
}
