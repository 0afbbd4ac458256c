import type { StopReason } from './loop.js';

/** Output of the `code` step, kept in `steps.output` and read back by the card. */
export interface CodeOutput extends Record<string, unknown> {
  mode: 'builtin' | 'delegate' | 'off';
  /** Why no pull request was opened (off, no change, nothing pushed before a budget ran out). */
  reason: string | null;
  repo: string | null;
  branch: string | null;
  pr: { number: number; url: string; reused: boolean } | null;
  files: string[];
  summary: string | null;
  stoppedBy: StopReason | null;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** What CI said about the last pushed commit. */
  ci: 'passed' | 'failed' | 'none' | 'not-run';
}

/** Written to `steps.output` while the step runs, so the card can show where it is. */
export interface CodeProgress extends Record<string, unknown> {
  progress: 'reading' | 'editing' | 'ci' | 'publishing';
  files: number;
  turns: number;
}

export function emptyOutput(
  mode: CodeOutput['mode'],
  reason: string | null,
  repo: string | null,
): CodeOutput {
  return {
    mode,
    reason,
    repo,
    branch: null,
    pr: null,
    files: [],
    summary: null,
    stoppedBy: null,
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    ci: 'not-run',
  };
}
