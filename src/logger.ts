import { type DestinationStream, type Logger, pino, stdSerializers } from 'pino';

export type { DestinationStream, Logger };

/**
 * Paths pino blanks out. Tokens and secrets can reach a log line through config objects,
 * HTTP headers (Octokit and the Slack client log request options) or SMTP auth.
 * Kept as a first line of defence; `redactObject` below catches the same keys at any depth.
 */
export const REDACTED_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'password',
  'secret',
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'auth.pass',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.auth.pass',
  '*.*.token',
  '*.*.botToken',
  '*.*.apiKey',
  '*.*.password',
  '*.*.signingSecret',
];

const CENSOR = '[Redacted]';

/**
 * Keys whose values are secrets wherever they appear: exact header/field names, and anything
 * ending in token/secret/password/api key (botToken, SLACK_SIGNING_SECRET, ANTHROPIC_API_KEY…).
 * `tokens`, `inputTokens` or `tokenUsage` are counts, not secrets, and do not match.
 */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|pass|passwd)$|(token|secret|password|api[-_]?key|private[-_]?key)$/i;

/** Token-shaped strings that might end up inside a message or an error text. */
const TOKEN_PATTERN =
  /\b(xox[abposr]-[\w-]+|xapp-[\w-]+|sk-ant-[\w-]+|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w+)/g;
/** `Authorization: Bearer …` / `token …` values that were turned into text. */
const AUTH_SCHEME_PATTERN = /\b(Bearer|Basic|token)\s+[\w.~+/-]{8,}=*/g;
/** The password in `scheme://user:password@host` (DATABASE_URL, SMTP URLs). */
const URL_PASSWORD_PATTERN = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]+@/gi;

export function scrubSecrets(text: string): string {
  return text
    .replace(TOKEN_PATTERN, CENSOR)
    .replace(AUTH_SCHEME_PATTERN, `$1 ${CENSOR}`)
    .replace(URL_PASSWORD_PATTERN, `$1${CENSOR}@`);
}

const MAX_DEPTH = 10;

/**
 * A copy of `value` safe to log: secret-named keys censored at any depth, token-shaped text
 * scrubbed in every string, Errors serialised (message, stack, cause and own fields) the way
 * pino does and then cleaned. Never mutates the caller's objects (an Error may be rethrown).
 */
function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactValue({ ...stdSerializers.err(value) }, depth, seen);
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return redactValue(toJSON.call(value), depth + 1, seen);
    return redactObject(value as Record<string, unknown>, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function redactObject(
  object: Record<string, unknown>,
  depth = 0,
  seen: WeakSet<object> = new WeakSet(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(object)) {
    out[key] =
      SECRET_KEY.test(key) && inner !== undefined && inner !== null
        ? CENSOR
        : redactValue(inner, depth + 1, seen);
  }
  return out;
}

/** Logging must never throw (a getter that throws, say): drop the fields rather than the line. */
function safely(redact: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return redact();
  } catch {
    return { logFieldsDropped: 'could not be made safe to log' };
  }
}

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: options.name ?? 'ai-orchestrator',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      // `msg` is the final message text, after printf-style formatting and after pino took it
      // from an Error's message (`log.error(err)`), so scrubbing it here covers every route.
      serializers: {
        msg: (msg: unknown) => (typeof msg === 'string' ? scrubSecrets(msg) : msg),
        // Errors were already turned into clean objects by `formatters.log`.
        err: (err: unknown) => (err instanceof Error ? redactValue(err, 0, new WeakSet()) : err),
      },
      formatters: {
        log: (object) => safely(() => redactObject(object)),
        bindings: (bindings) => safely(() => redactObject(bindings)),
      },
    },
    destination,
  );
}
