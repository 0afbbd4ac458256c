/** Pipeline phases and their steps, in order. Later phases add agents here. */
export const AGENTS = ['ticket', 'email', 'code', 'build', 'deploy'] as const;
export type AgentName = (typeof AGENTS)[number];

export const PHASE1_STEPS: readonly AgentName[] = ['ticket', 'email'];
/**
 * Phase 2 adds `code` after the email. The step always runs when configured into the pipeline:
 * with the code agent off it records why, so the card never skips it silently.
 */
export const PHASE2_STEPS: readonly AgentName[] = ['ticket', 'email', 'code'];

/**
 * Phase 3: a merged PR starts a second run for the task with the `build` step (GitHub Actions).
 * It is keyed by the merge commit, so the same merge seen twice builds once.
 */
export const BUILD_STEPS: readonly AgentName[] = ['build'];
/** Phase 4: with deploy environments configured, the build run goes on to `deploy`. */
export const BUILD_DEPLOY_STEPS: readonly AgentName[] = ['build', 'deploy'];

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const STEP_LABELS: Record<AgentName, string> = {
  ticket: 'GitHub issue',
  email: 'Email',
  code: 'Pull request',
  build: 'Build',
  deploy: 'Deploy',
};

/** Stable across retries and processes: the agent uses it to make its effect at most once. */
export function idempotencyKey(runId: string, agent: AgentName): string {
  return `${runId}:${agent}`;
}

export interface BuildTrigger {
  repo: string;
  pull: number;
  sha: string;
}

/**
 * The build step's key: one build per task and merge commit, whichever route reported the merge.
 * It also carries what the build needs (repo, PR, SHA), so the step is self-describing.
 */
export function buildIdempotencyKey(taskId: string, t: BuildTrigger): string {
  return `${taskId}:build:${t.repo}#${t.pull}@${t.sha}`;
}

export function parseBuildKey(key: string): BuildTrigger | null {
  const m = /:build:([\w.-]+\/[\w.-]+)#(\d+)@([0-9a-f]{40})$/.exec(key);
  return m ? { repo: m[1]!, pull: Number(m[2]), sha: m[3]! } : null;
}
