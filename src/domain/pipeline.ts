/** Pipeline phases and their steps, in order. Later phases add agents here. */
export const AGENTS = ['ticket', 'email', 'code'] as const;
export type AgentName = (typeof AGENTS)[number];

export const PHASE1_STEPS: readonly AgentName[] = ['ticket', 'email'];
/**
 * Phase 2 adds `code` after the email. The step always runs when configured into the pipeline:
 * with the code agent off it records why, so the card never skips it silently.
 */
export const PHASE2_STEPS: readonly AgentName[] = ['ticket', 'email', 'code'];

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const STEP_LABELS: Record<AgentName, string> = {
  ticket: 'GitHub issue',
  email: 'Email',
  code: 'Pull request',
};

/** Stable across retries and processes: the agent uses it to make its effect at most once. */
export function idempotencyKey(runId: string, agent: AgentName): string {
  return `${runId}:${agent}`;
}
