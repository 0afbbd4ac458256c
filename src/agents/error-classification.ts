import { scrubSecrets } from '../logger.js';
import { AgentError } from './types.js';

/**
 * Turns whatever an agent's outside call threw into an AgentError: transient (worth a retry)
 * or permanent (a person must fix config, repo or address), with a message fit for the task's
 * Slack card: one readable line, never a token, never a stack trace.
 *
 * `what` names the attempted action ("Creating the GitHub issue in acme/web", "Sending the
 * email") and prefixes messages that have no better wording of their own.
 */

/** Operating-system and undici codes: the peer could not be reached or dropped us. */
const OS_NETWORK_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];
/** nodemailer's wrappers for the same situations; less telling, so only a fallback. */
const MAILER_NETWORK_CODES = ['ECONNECTION', 'ESOCKET', 'EDNS'];
const NETWORK_CODES = new Set([...OS_NETWORK_CODES, ...MAILER_NETWORK_CODES]);

const MESSAGE_MAX = 300;
/** Rate limits without a retry-after: GitHub asks to wait at least a minute. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export function classifyError(err: unknown, what: string): AgentError {
  if (err instanceof AgentError) return err;
  // Before the GitHub check: Octokit wraps a deadline in a status-500 RequestError.
  const timeout = findTimeout(err);
  if (timeout) return new AgentError(`${what}: ${timeout}`, 'transient', { cause: err });
  const github = asGitHubError(err);
  if (github) return classifyGitHub(err, github, what);
  const smtp = asSmtpError(err);
  if (smtp) return classifySmtp(err, smtp, what);
  if (isAbort(err)) return new AgentError(`${what}: cancelled`, 'transient', { cause: err });
  const code = networkCode(err);
  if (code) return new AgentError(`${what}: network error (${code})`, 'transient', { cause: err });
  return new AgentError(`${what}: ${describe(err)}`, 'transient', { cause: err });
}

interface GitHubErrorShape {
  status: number;
  message: string;
  url: string | undefined;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

/** Duck-typed rather than `instanceof RequestError`: a second copy of the package must not slip through. */
function asGitHubError(err: unknown): GitHubErrorShape | null {
  if (!isRecord(err) || typeof err.status !== 'number' || !isRecord(err.request)) return null;
  const request = err.request;
  const response = isRecord(err.response) ? err.response : undefined;
  const headers = response && isRecord(response.headers) ? response.headers : {};
  return {
    status: err.status,
    message: typeof err.message === 'string' ? err.message : '',
    url: typeof request.url === 'string' ? request.url : undefined,
    headers: Object.fromEntries(
      Object.entries(headers).filter(
        (entry): entry is [string, string | number] =>
          typeof entry[1] === 'string' || typeof entry[1] === 'number',
      ),
    ),
    data: response?.data,
  };
}

function classifyGitHub(err: unknown, e: GitHubErrorShape, what: string): AgentError {
  const cause = { cause: err };
  const repo = repoOf(e.url);
  const detail = githubDetail(e);
  const retryAfterMs = retryAfterFromHeaders(e.headers);

  // No response at all: the request never reached GitHub (Octokit reports these as status 500).
  if (e.data === undefined && Object.keys(e.headers).length === 0) {
    const code = networkCode(err);
    return new AgentError(
      `${what}: could not reach GitHub (${code ?? clean(e.message || 'network error')})`,
      'transient',
      cause,
    );
  }

  if (e.status === 401) {
    return new AgentError("GitHub refused the bot's credentials (401)", 'permanent', {
      cause: err,
      detail: 'GitHub refused the token (401): check GITHUB_TOKEN',
    });
  }
  if (e.status === 403 || e.status === 429) {
    if (/secondary rate limit/i.test(detail) || /abuse/i.test(detail)) {
      return new AgentError(
        `${what}: GitHub secondary rate limit (${e.status}); will retry later`,
        'transient',
        { cause: err, retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS },
      );
    }
    if (e.status === 429 || e.headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(detail)) {
      return new AgentError(
        `${what}: GitHub rate limit exceeded (${e.status}); will retry later`,
        'transient',
        {
          cause: err,
          retryAfterMs: retryAfterMs ?? resetWaitMs(e.headers) ?? DEFAULT_RATE_LIMIT_WAIT_MS,
        },
      );
    }
    return new AgentError(
      `GitHub refused access${repo ? ` to ${repo}` : ''} (403): the token lacks permission${detail ? ` (${detail})` : ''}`,
      'permanent',
      cause,
    );
  }
  if (e.status === 404) {
    return new AgentError(
      repo
        ? `Repository ${repo} not found or the token cannot see it (404)`
        : `${what}: GitHub answered 404 Not Found`,
      'permanent',
      cause,
    );
  }
  if (e.status === 422) {
    return new AgentError(
      `${what}: GitHub rejected the request (422)${detail ? `: ${detail}` : ''}`,
      'permanent',
      cause,
    );
  }
  if (e.status === 410) {
    return new AgentError(
      `${what}: GitHub says this is gone or disabled (410)${detail ? `: ${detail}` : ''}`,
      'permanent',
      cause,
    );
  }
  if (e.status === 400) {
    return new AgentError(
      `${what}: GitHub rejected the request (400)${detail ? `: ${detail}` : ''}`,
      'permanent',
      cause,
    );
  }
  return new AgentError(
    `${what}: GitHub answered ${e.status}${detail ? ` (${detail})` : ''}`,
    'transient',
    retryAfterMs === undefined ? cause : { cause: err, retryAfterMs },
  );
}

/** GitHub's JSON error: `message` plus optional `errors[]` of strings or {field, code, message}. */
function githubDetail(e: GitHubErrorShape): string {
  if (isRecord(e.data)) {
    const parts: string[] = [];
    if (typeof e.data.message === 'string') parts.push(e.data.message);
    if (Array.isArray(e.data.errors)) {
      for (const item of e.data.errors) {
        if (typeof item === 'string') parts.push(item);
        else if (isRecord(item)) {
          const text =
            typeof item.message === 'string'
              ? item.message
              : [item.resource, item.field, item.code].filter((v) => typeof v === 'string').join(' ');
          if (text) parts.push(text);
        }
      }
    }
    if (parts.length > 0) return clean(parts.join('; '));
  }
  // Octokit appends " - <documentation_url>" to the message; the card does not need it.
  return clean(e.message.replace(/ - https?:\/\/\S+$/, ''));
}

function repoOf(url: string | undefined): string | null {
  if (!url) return null;
  const match = /\/repos\/([^/?#]+)\/([^/?#]+)/.exec(url);
  if (!match) return null;
  return `${decodeURIComponent(match[1] ?? '')}/${decodeURIComponent(match[2] ?? '')}`;
}

interface SmtpErrorShape {
  responseCode: number | undefined;
  code: string | undefined;
  message: string;
}

/** nodemailer errors carry `responseCode` (the SMTP reply) and/or an E* `code`. */
function asSmtpError(err: unknown): SmtpErrorShape | null {
  if (!(err instanceof Error) || !isRecord(err)) return null;
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const smtpish =
    responseCode !== undefined ||
    (code !== undefined &&
      /^E(AUTH|NOAUTH|ENVELOPE|MESSAGE|PROTOCOL|CONNECTION|SOCKET|DNS|TLS|STREAM)$/.test(code)) ||
    typeof err.command === 'string';
  if (!smtpish) return null;
  return { responseCode, code, message: err.message };
}

function classifySmtp(err: unknown, e: SmtpErrorShape, what: string): AgentError {
  const cause = { cause: err };
  const reply = clean(e.message);
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    const code = e.responseCode ? ` (${e.responseCode})` : '';
    return new AgentError(`The mail server refused the bot's login${code}`, 'permanent', {
      cause: err,
      detail: `The SMTP server rejected the login${code}: check SMTP_USER and SMTP_PASSWORD`,
    });
  }
  if (e.responseCode !== undefined) {
    if (e.responseCode >= 400 && e.responseCode < 500) {
      return new AgentError(
        `${what}: the mail server deferred it (${e.responseCode}): ${reply}`,
        'transient',
        cause,
      );
    }
    if (e.responseCode >= 500) {
      return new AgentError(
        `${what}: the mail server refused it (${e.responseCode}): ${reply}`,
        'permanent',
        cause,
      );
    }
  }
  const code = networkCode(err) ?? e.code;
  if (code && NETWORK_CODES.has(code)) {
    return new AgentError(`${what}: could not reach the mail server (${code})`, 'transient', cause);
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return new AgentError(`${what}: ${reply}`, 'permanent', cause);
  }
  return new AgentError(`${what}: ${reply}`, 'transient', cause);
}

/**
 * Finds a network error code on the error or down its `cause` chain (fetch nests them), in
 * `code` or in the message ("connect ECONNREFUSED 127.0.0.1:25"); OS codes win over nodemailer's.
 */
function networkCode(err: unknown): string | undefined {
  let fallback: string | undefined;
  let current: unknown = err;
  for (let depth = 0; depth < 5 && isRecord(current); depth++) {
    const code = typeof current.code === 'string' ? current.code : '';
    if (OS_NETWORK_CODES.includes(code)) return code;
    const message = typeof current.message === 'string' ? current.message : '';
    const inMessage = OS_NETWORK_CODES.find((c) => message.includes(c));
    if (inMessage) return inMessage;
    if (!fallback && MAILER_NETWORK_CODES.includes(code)) fallback = code;
    if (!fallback && /fetch failed|socket hang up|other side closed/i.test(message))
      fallback = 'fetch failed';
    current = current.cause;
  }
  return fallback;
}

/**
 * "GitHub did not answer within 30 s" when a deadline (src/services/deadline.ts) ended the call,
 * anywhere down the cause chain. Duck-typed, like the rest of this file.
 */
function findTimeout(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && isRecord(current); depth++) {
    if (
      current.name === 'OutboundTimeoutError' &&
      typeof current.message === 'string' &&
      typeof current.timeoutMs === 'number'
    ) {
      return clean(current.message);
    }
    current = current.cause;
  }
  return undefined;
}

function isAbort(err: unknown): boolean {
  return isRecord(err) && (err.name === 'AbortError' || err.code === 'ABORT_ERR' || err.code === 'EABORT');
}

function retryAfterFromHeaders(headers: Record<string, string | number | undefined>): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function resetWaitMs(headers: Record<string, string | number | undefined>): number | undefined {
  const reset = Number(headers['x-ratelimit-reset']);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.max(0, reset * 1000 - Date.now()) + 1000;
}

function describe(err: unknown): string {
  if (err instanceof Error) return clean(err.message || err.name);
  if (typeof err === 'string') return clean(err);
  return 'unknown error';
}

/** One line, no secrets, bounded: error texts can carry server replies, URLs with tokens, or whole stacks. */
function clean(text: string): string {
  const firstLines = text
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join(' ');
  const oneLine = scrubSecrets(firstLines).replace(/\s+/g, ' ').trim();
  return oneLine.length > MESSAGE_MAX ? `${oneLine.slice(0, MESSAGE_MAX - 1)}…` : oneLine;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
