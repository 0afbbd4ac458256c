import {
  type CompleteOptions,
  completeRun,
  createRun,
  defineWorkflow,
  startRun,
  type WorkflowSpec,
} from './actions-runs.js';
import type { RouteContext } from './context.js';
import { isoNow } from './http.js';
import type { Conclusion, StandInCheckRun, StandInPull, StandInRun, StandInWorkflow } from './models.js';
import { type CheckRunInit, createCheckRun, updateCheckRun } from './routes-checks.js';
import type { Repo } from './state.js';
import type { Webhooks } from './webhooks.js';

/**
 * What the test does "on GitHub's side": CI progress, check runs, pull request flags, and the
 * triggers that make Actions start runs (push and pull_request workflows). Everything a user
 * would do through the API (comment, review, merge) the test does with Octokit and a token from
 * `tokenFor(login)`, so the same webhooks follow.
 */

export interface StandInControls {
  /** Sets what a pull request's mergeability is (null: work it out from the trees) or its draft flag. */
  setPull(repo: string, number: number, change: { mergeable?: boolean | null; draft?: boolean }): StandInPull;
  checks: {
    create(repo: string, init: CheckRunInit): StandInCheckRun;
    update(repo: string, id: number, change: Partial<CheckRunInit>): StandInCheckRun;
  };
  actions: {
    /** How dispatch treats `return_run_details`: 'supported' (default), 'ignored' (204), 'rejected' (422). */
    runDetails: 'supported' | 'ignored' | 'rejected';
    addWorkflow(repo: string, spec: WorkflowSpec): StandInWorkflow;
    runs(repo: string): StandInRun[];
    run(repo: string, runId: number): StandInRun;
    /** A run as if GitHub started it for an event (e.g. 'push' on a branch). */
    trigger(repo: string, file: string, init: { event: string; branch: string; actor?: string }): StandInRun;
    start(repo: string, runId: number): void;
    complete(repo: string, runId: number, conclusion: Conclusion, options?: CompleteOptions): void;
    addArtifact(repo: string, runId: number, name: string, files: Record<string, string>): void;
  };
  webhooks: Webhooks;
}

export function controls(rc: RouteContext, webhooks: Webhooks): StandInControls {
  const { state } = rc;
  const repoOf = (full: string): Repo => state.requireRepo(full);
  const runOf = (full: string, id: number): StandInRun => {
    const run = repoOf(full).runs.find((r) => r.id === id);
    if (!run) throw new Error(`no run ${id} in ${full}`);
    return run;
  };

  // Actions starts push workflows on a push, and pull_request workflows on a PR opened or moved.
  state.pushHooks.push((repo, ref, _before, after, sender) => {
    if (!after || !ref.startsWith('refs/heads/')) return;
    for (const w of repo.workflows.filter((x) => x.on.includes('push'))) {
      createRun(rc, repo, w, { event: 'push', branch: ref.slice(11), sha: after, actor: sender });
    }
  });
  const emit = state.emit;
  state.emit = (repo, event, payload, sender) => {
    emit(repo, event, payload, sender);
    if (event !== 'pull_request' || !['opened', 'synchronize', 'reopened'].includes(String(payload.action)))
      return;
    const pull = repo.pulls.get(Number(payload.number));
    const sha = pull && repo.refs.get(`refs/heads/${pull.head.ref}`);
    if (!pull || !sha) return;
    for (const w of repo.workflows.filter((x) => x.on.includes('pull_request'))) {
      createRun(rc, repo, w, {
        event: 'pull_request',
        branch: pull.head.ref,
        sha,
        actor: sender,
        pullNumbers: [pull.number],
      });
    }
  };

  return {
    setPull(full, number, change) {
      const pull = repoOf(full).pulls.get(number);
      if (!pull) throw new Error(`no pull ${number} in ${full}`);
      if (change.mergeable !== undefined) pull.mergeable = change.mergeable;
      if (change.draft !== undefined) pull.draft = change.draft;
      pull.updated_at = isoNow();
      return pull;
    },
    checks: {
      create: (full, init) => createCheckRun(rc, repoOf(full), init, init.app ?? 'ci-bot'),
      update(full, id, change) {
        const repo = repoOf(full);
        const run = repo.checkRuns.find((r) => r.id === id);
        if (!run) throw new Error(`no check run ${id}`);
        updateCheckRun(rc, repo, run, change, run.app);
        return run;
      },
    },
    actions: {
      get runDetails() {
        return rc.config.runDetails;
      },
      set runDetails(value) {
        rc.config.runDetails = value;
      },
      addWorkflow: (full, spec) => defineWorkflow(rc, state.addRepo(full), spec),
      runs: (full) => repoOf(full).runs,
      run: runOf,
      trigger(full, file, init) {
        const repo = repoOf(full);
        const w = repo.workflows.find((x) => x.file === file);
        const sha = repo.refs.get(`refs/heads/${init.branch}`);
        if (!w || !sha) throw new Error(`no workflow ${file} or branch ${init.branch}`);
        return createRun(rc, repo, w, {
          event: init.event,
          branch: init.branch,
          sha,
          actor: init.actor ?? repo.owner,
        });
      },
      start: (full, id) => startRun(rc, repoOf(full), runOf(full, id)),
      complete: (full, id, conclusion, options) =>
        completeRun(rc, repoOf(full), runOf(full, id), conclusion, options),
      addArtifact(full, runId, name, files) {
        repoOf(full).artifacts.push({ id: state.nextId(), run_id: runOf(full, runId).id, name, files });
      },
    },
    webhooks,
  };
}
