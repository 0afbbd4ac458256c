import type { CodeConfig } from '../../config.js';
import type { AgentTask } from '../types.js';

/**
 * The settings one code run uses. Today they come from the environment (CodeConfig) and the
 * task's repo; "Projects per channel" will replace this one function with the task's project
 * as it was when the task was approved, and nothing else in the agent needs to change.
 */
export interface CodeSettings {
  mode: CodeConfig['mode'];
  offReason: string | null;
  /** owner/repo */
  repo: string;
  /** null → the repository's default branch. */
  baseBranch: string | null;
  guidelines: string | null;
  model: string;
  protectedPaths: readonly string[];
  maxFilesChanged: number;
  maxTurns: number;
  maxCostUsd: number;
  timeoutMs: number;
  maxCiRounds: number;
  ciTimeoutMs: number;
  delegate: { comment: string | null; assignee: string | null; timeoutMs: number };
}

export type CodeSettingsResolver = (task: AgentTask) => Promise<CodeSettings>;

export function envCodeSettings(config: CodeConfig): CodeSettingsResolver {
  return async (task) => ({
    mode: config.mode,
    offReason: config.offReason,
    repo: task.repo,
    baseBranch: config.baseBranch,
    guidelines: config.guidelines,
    model: config.model,
    protectedPaths: config.protectedPaths,
    maxFilesChanged: config.maxFilesChanged,
    maxTurns: config.maxTurns,
    maxCostUsd: config.maxCostUsd,
    timeoutMs: config.timeoutMs,
    maxCiRounds: config.maxCiRounds,
    ciTimeoutMs: config.ciTimeoutMs,
    delegate: config.delegate,
  });
}
