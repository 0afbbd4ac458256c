/**
 * The code step's part of the configuration (CODE_*), resolved from the validated environment
 * (the schema lives with the others in config.ts). Split out to keep config.ts one screenful.
 */

/** The CODE_* variables after validation, plus what the mode depends on. */
export interface CodeEnv {
  CODE_AGENT?: 'builtin' | 'delegate' | 'off' | undefined;
  CODE_MODEL?: string | undefined;
  CODE_BASE_BRANCH?: string | undefined;
  CODE_GUIDELINES?: string | undefined;
  CODE_PROTECTED_PATHS?: string[] | undefined;
  CODE_MAX_FILES_CHANGED: number;
  CODE_MAX_TURNS: number;
  CODE_MAX_COST_USD: number;
  CODE_TIMEOUT_SECONDS: number;
  CODE_MAX_CI_ROUNDS: number;
  CODE_CI_TIMEOUT_SECONDS: number;
  CODE_DELEGATE_COMMENT?: string | undefined;
  CODE_DELEGATE_ASSIGNEE?: string | undefined;
  CODE_DELEGATE_TIMEOUT_SECONDS: number;
  apiKey: string | undefined;
  githubToken: string | undefined;
}

export interface CodeConfig {
  /** off: the step runs and says why it did nothing (`offReason`, shown on the card). */
  mode: 'builtin' | 'delegate' | 'off';
  offReason: string | null;
  model: string;
  /** null → the repository's default branch. */
  baseBranch: string | null;
  guidelines: string | null;
  protectedPaths: string[];
  maxFilesChanged: number;
  maxTurns: number;
  maxCostUsd: number;
  timeoutMs: number;
  maxCiRounds: number;
  ciTimeoutMs: number;
  delegate: { comment: string | null; assignee: string | null; timeoutMs: number };
}

export const DEFAULT_PROTECTED_PATHS = ['.github/workflows/**'];

/**
 * The code step's mode. Writing code with the bot's token is opt-in (CODE_AGENT); asked for
 * without what it needs, the configuration is refused rather than the step silently doing nothing.
 */
export function resolveCodeConfig(e: CodeEnv, defaultModel: string): CodeConfig | { problem: string } {
  const { apiKey } = e;
  const asked = e.CODE_AGENT ?? 'off';
  if (asked === 'builtin' && (!apiKey || !e.githubToken)) {
    return { problem: 'CODE_AGENT builtin needs ANTHROPIC_API_KEY and GITHUB_TOKEN (or set CODE_AGENT=off)' };
  }
  if (asked === 'delegate' && (!e.githubToken || (!e.CODE_DELEGATE_COMMENT && !e.CODE_DELEGATE_ASSIGNEE))) {
    return {
      problem: 'CODE_AGENT delegate needs GITHUB_TOKEN and CODE_DELEGATE_COMMENT or CODE_DELEGATE_ASSIGNEE',
    };
  }
  const offReason =
    asked !== 'off'
      ? null
      : e.CODE_AGENT === 'off'
        ? 'the code agent is turned off for this workspace'
        : !apiKey || !e.githubToken
          ? `the code agent is not set up (it needs ${!apiKey ? 'an Anthropic API key' : 'a GitHub token'})`
          : 'the code agent is not enabled for this workspace';
  return {
    mode: asked,
    offReason,
    model: e.CODE_MODEL ?? defaultModel,
    baseBranch: e.CODE_BASE_BRANCH ?? null,
    guidelines: e.CODE_GUIDELINES ?? null,
    protectedPaths: e.CODE_PROTECTED_PATHS ?? DEFAULT_PROTECTED_PATHS,
    maxFilesChanged: e.CODE_MAX_FILES_CHANGED,
    maxTurns: e.CODE_MAX_TURNS,
    maxCostUsd: e.CODE_MAX_COST_USD,
    timeoutMs: e.CODE_TIMEOUT_SECONDS,
    maxCiRounds: e.CODE_MAX_CI_ROUNDS,
    ciTimeoutMs: e.CODE_CI_TIMEOUT_SECONDS,
    delegate: {
      comment: e.CODE_DELEGATE_COMMENT ?? null,
      assignee: e.CODE_DELEGATE_ASSIGNEE ?? null,
      timeoutMs: e.CODE_DELEGATE_TIMEOUT_SECONDS,
    },
  };
}
