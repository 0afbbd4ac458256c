import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out. Tokens and secrets can reach a log line through config objects,
 * HTTP headers (Octokit and the Slack client log request options) or SMTP auth.
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

/** Token-shaped strings that might end up inside a message or an error text. */
const TOKEN_PATTERN =
  /\b(xox[abposr]-[\w-]+|xapp-[\w-]+|sk-ant-[\w-]+|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w+)/g;

export function scrubSecrets(text: string): string {
  return text.replace(TOKEN_PATTERN, '[Redacted]');
}

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: options.name ?? 'ai-orchestrator',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as typeof args;
          method.apply(this, scrubbed);
        },
      },
      formatters: {
        log(object) {
          const err = object.err;
          if (err && typeof err === 'object' && 'message' in err && typeof err.message === 'string') {
            (err as { message: string }).message = scrubSecrets(err.message);
          }
          return object;
        },
      },
    },
    destination,
  );
}
