import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from '../logger.js';
import { deadlineFetch } from './deadline.js';

/**
 * The GitHub REST client: Octokit with retries (5xx, network) and GitHub's rate-limit etiquette
 * (throttling spaces out writes and waits out rate limits). Knows nothing of tasks or Slack.
 */

export interface GitHubClientOptions {
  token: string;
  /** GitHub Enterprise or a test stand-in; defaults to https://api.github.com. */
  apiUrl?: string;
  logger: Logger;
  /** Default true. Tests turn it off: it deliberately waits between writes and searches. */
  throttle?: boolean;
  /** How many times a failed request (5xx, network, rate limit) is tried again. Default 3. */
  retries?: number;
  /**
   * Unit of the back-off: plugin-retry waits (n+1)² × this, throttling waits retry-after × this.
   * Default 1000 (seconds); tests shrink it so a retried request does not take seconds.
   */
  retryAfterBaseMs?: number;
  /** Overall deadline of one HTTP request (each retry gets its own). Default 30 s. */
  timeoutMs?: number;
  /** Told every HTTP call's status (undefined: no response), retries included (metrics). */
  onCall?: (status: number | undefined) => void;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/**
 * Longest rate-limit wait we sit out in-process. Beyond it the request fails, and the error
 * (transient, with retryAfterMs) lets the orchestrator reschedule the step instead of holding it.
 */
const MAX_IN_PROCESS_WAIT_S = 60;

const ThrottledOctokit = Octokit.plugin(retry, throttling);

export function createGitHubClient(options: GitHubClientOptions): Octokit {
  const { logger } = options;
  const retries = options.retries ?? 3;
  const base = options.retryAfterBaseMs ?? 1000;
  const throttle = options.throttle ?? true;
  // The caller passes its plain logger: the `service` key is added here, once.
  const log = logger.child({ service: 'github' });

  const onLimit =
    (kind: 'rate limit' | 'secondary rate limit') =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const willRetry = retryCount < retries && retryAfter <= MAX_IN_PROCESS_WAIT_S;
      log.warn(
        { method: request.method, url: request.url, retryAfter, retryCount, willRetry },
        `GitHub ${kind} hit; ${willRetry ? `retrying in ${retryAfter}s` : 'giving up'}`,
      );
      return willRetry;
    };

  const octokit = new ThrottledOctokit({
    auth: options.token,
    baseUrl: (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'ai-orchestrator',
    // Octokit has no timeout of its own: a silent server would hold the step for many minutes.
    request: {
      fetch: deadlineFetch(
        'GitHub',
        options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
        globalThis.fetch,
        options.onCall,
      ),
    },
    // Octokit logs deprecations and warnings to the console by default; route them to pino.
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.info(message),
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
    retry: {
      retries,
      retryAfterBaseValue: base,
      // plugin-retry's defaults, plus 429 when throttling answers rate limits: else both retry it.
      doNotRetry: [400, 401, 403, 404, 410, 422, 451, ...(throttle ? [429] : [])],
    },
    throttle: {
      enabled: throttle,
      retryAfterBaseValue: base,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
  });
  // A POST that timed out or got a 5xx may still have created its issue: repeating it blindly
  // makes a second one. Writes are retried by the runner instead, which looks for the issue first.
  octokit.hook.before('request', (request) => {
    if (!IDEMPOTENT.has(request.method)) request.request = { ...request.request, retries: 0 };
  });
  return octokit;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
