/**
 * Sandbox or Slack: decided once, from the raw environment, and failing closed. The sandbox is a
 * local, unauthenticated workspace; wired to production credentials it would serve production
 * tasks to whoever reaches its port. So it starts only when asked for (SANDBOX=1) on a machine
 * with nothing of production configured, or when nothing at all is configured. A half-done Slack
 * configuration is an error naming the missing variable, never a silent fall-back to the sandbox.
 */

export type StartMode =
  | { mode: 'sandbox' }
  | { mode: 'slack'; transport: 'socket' | 'http' }
  | { mode: 'refuse'; message: string };

/** Set, any of these means a deployment, not a laptop: the sandbox must not start. */
const PRODUCTION_MARKERS = ['DATABASE_URL', 'GITHUB_TOKEN', 'SMTP_HOST', 'SLACK_SIGNING_SECRET'] as const;
const SLACK_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const;

const TRUE = new Set(['1', 'true', 'yes']);
const FALSE = new Set(['0', 'false', 'no']);

export function decideStartMode(env: Record<string, string | undefined>): StartMode {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const sandboxFlag = (env.SANDBOX ?? '').trim().toLowerCase();
  const production = (env.NODE_ENV ?? '').trim().toLowerCase() === 'production';
  const marker = PRODUCTION_MARKERS.find(set);

  if (TRUE.has(sandboxFlag)) {
    if (production) {
      return refuse(
        'SANDBOX=1 is refused with NODE_ENV=production: the sandbox has no sign-in. Unset SANDBOX.',
      );
    }
    if (marker) {
      return refuse(
        `SANDBOX=1 is refused while ${marker} is set: the sandbox has no sign-in and must not reach real data or services. Unset ${marker} or SANDBOX.`,
      );
    }
    return { mode: 'sandbox' };
  }

  const nothingConfigured = !production && !marker && !SLACK_VARIABLES.some(set);
  if (nothingConfigured && !FALSE.has(sandboxFlag)) return { mode: 'sandbox' };

  if (!set('SLACK_BOT_TOKEN')) {
    return refuse(
      'SLACK_BOT_TOKEN is not set: set it (with SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode). See README.md, "Slack app setup". For the local sandbox, unset the production settings and set SANDBOX=1.',
    );
  }
  if (set('SLACK_APP_TOKEN')) return { mode: 'slack', transport: 'socket' };
  if (!set('SLACK_SIGNING_SECRET')) {
    return refuse(
      'SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify requests (or set SLACK_APP_TOKEN for Socket Mode). See README.md, "Slack app setup".',
    );
  }
  return { mode: 'slack', transport: 'http' };
}

function refuse(message: string): StartMode {
  return { mode: 'refuse', message: `Refusing to start: ${message}` };
}
