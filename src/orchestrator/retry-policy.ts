import { AgentError } from '../agents/types.js';
import { scrubSecrets } from '../logger.js';

export interface Failure {
  /** For the whole channel (the card): what failed in plain terms, no configuration names or internals. */
  message: string;
  /** For approvers only (ephemeral, App Home): the actionable detail, when there is one. */
  detail: string | undefined;
  transient: boolean;
  retryAfterMs?: number;
}

/** What the card says for an error no agent described: its text may name hosts, paths or internals. */
export const UNEXPECTED_FAILURE =
  'An unexpected error stopped this step; approvers can see the details in App Home.';

/** Any thrown value → what the card shows, what approvers see, and whether another attempt may succeed. */
export function describeFailure(err: unknown): Failure {
  if (err instanceof AgentError) {
    return {
      message: oneLine(err.message),
      detail: err.detail ? oneLine(err.detail) : undefined,
      transient: err.kind === 'transient',
      ...(err.options.retryAfterMs !== undefined ? { retryAfterMs: err.options.retryAfterMs } : {}),
    };
  }
  // An unexpected error is a bug or a broken dependency: retrying blindly would hide it.
  return {
    message: UNEXPECTED_FAILURE,
    detail: oneLine(err instanceof Error ? err.message : String(err)),
    transient: false,
  };
}

function oneLine(text: string): string {
  return scrubSecrets(text.split('\n')[0] ?? 'unknown error').slice(0, 500);
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before attempt `attempt + 1`: exponential with full jitter (spreads retries of many
 * runs hitting the same outage), never shorter than the server's Retry-After.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
