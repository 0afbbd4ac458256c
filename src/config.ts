import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { BUILD_ENV_FIELDS, type BuildConfig, type DeployConfig, resolveBuildConfig } from './config-build.js';
import { type CodeConfig, resolveCodeConfig } from './config-code.js';
import { DEFAULT_ANTHROPIC_MODEL } from './services/anthropic-models.js';
import { decideStartMode } from './start-mode.js';

export type { BuildConfig, DeployConfig, DeployEnvironment } from './config-build.js';
export type { CodeConfig } from './config-code.js';

/**
 * One schema for the whole environment. Defaults are resolved here, once; the rest of the
 * code receives a typed, validated `Config` and never reads `process.env` itself.
 */

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());
const optionalUrl = z.preprocess(
  emptyToUndefined,
  z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://example.com/' }).optional(),
);
const port = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 65535')
      .max(65535, 'must be between 1 and 65535')
      .default(fallback),
  );
const bool = z.preprocess(
  (value) => (typeof value === 'string' ? emptyToUndefined(value.trim().toLowerCase()) : value),
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : ['true', '1', 'yes'].includes(v))),
);
/** A duration in seconds (fractions allowed: tests use short deadlines), returned in milliseconds. */
const seconds = (fallback: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .positive('must be more than 0 seconds')
      .max(max, `must be at most ${max} seconds`)
      .default(fallback)
      .transform((s) => Math.round(s * 1000)),
  );
const repoName = z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must look like owner/repo');
/** A comma-separated list; blanks around and between items are ignored. */
const splitList = (value: unknown): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : value;
const csv = z.preprocess(splitList, z.array(z.string()).default([]));

const EnvSchema = z.object({
  SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xox'), {
    message: 'must be a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message: 'must be an app-level token starting with xapp-',
  }),
  SLACK_API_URL: optionalUrl,
  PORT: port(3000),
  // Prometheus metrics: a separate (private) port, and/or a bearer token for /metrics on PORT.
  METRICS_PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 65535')
      .max(65535, 'must be between 1 and 65535')
      .optional(),
  ),
  METRICS_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters (it guards /metrics on the public port)').optional(),
  ),
  HOST: z.preprocess(emptyToUndefined, z.string().optional()),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  REPLICAS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(1),
  ),
  ANTHROPIC_API_KEY: optionalString,
  CLAUDE_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  ANTHROPIC_MODEL: z.preprocess(emptyToUndefined, z.string().default(DEFAULT_ANTHROPIC_MODEL)),
  ANTHROPIC_TIMEOUT_SECONDS: seconds(180, 1800),
  GITHUB_TOKEN: optionalString,
  GITHUB_API_URL: optionalUrl,
  GITHUB_REPO: z.preprocess(emptyToUndefined, repoName.optional()),
  GITHUB_REPOS: z.preprocess(splitList, z.array(repoName).default([])),
  GITHUB_THROTTLE: bool,
  GITHUB_WEBHOOK_SECRET: optionalString,
  GITHUB_POLL_CRON: z.preprocess(
    (value) => (typeof value === 'string' ? emptyToUndefined(value.trim()) : value),
    z
      .string()
      .refine((v) => v === 'off' || isValidCron(v), {
        message: 'must be a cron expression such as "*/2 * * * *", or off',
      })
      .default('*/2 * * * *'),
  ),
  HTTP_TIMEOUT_SECONDS: seconds(30, 600),
  SMTP_HOST: optionalString,
  SMTP_PORT: port(587),
  SMTP_SECURE: bool,
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_TIMEOUT_SECONDS: seconds(60, 600),
  EMAIL_FROM: z.preprocess(
    emptyToUndefined,
    z.email({ message: 'must be an email address' }).default('orchestrator@localhost'),
  ),
  TARGET_EMAIL: z.preprocess(emptyToUndefined, z.email({ message: 'must be an email address' }).optional()),
  SLACK_APPROVERS: csv.pipe(
    z.array(
      z.string().regex(/^[UW][A-Z0-9]+$/, 'must be Slack user IDs such as U012ABCDEF, comma-separated'),
    ),
  ),
  APPROVAL_PREVENT_SELF: bool,
  SLACK_ADMINS: csv.pipe(
    z.array(
      z.string().regex(/^[UW][A-Z0-9]+$/, 'must be Slack user IDs such as U012ABCDEF, comma-separated'),
    ),
  ),
  RUNNER_CONCURRENCY: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int()
      .min(1, 'must be at least 1')
      .max(64, 'must be at most 64')
      .default(4),
  ),
  RUNNER_MAX_ATTEMPTS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int()
      .min(1, 'must be at least 1')
      .max(20, 'must be at most 20')
      .default(5),
  ),
  RUNNER_LEASE_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .min(1, 'must be at least 1')
      .max(3600, 'must be at most 3600')
      .default(30),
  ),
  RUNNER_STEP_TIMEOUT_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .min(1, 'must be at least 1')
      .max(86_400, 'must be at most 86400')
      .default(600),
  ),
  AUDIT_RETENTION_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .default(90),
  ),
  APPROVAL_REMINDER_CRON: z.preprocess(
    (value) => (typeof value === 'string' ? emptyToUndefined(value.trim()) : value),
    z
      .string()
      .refine((v) => isValidCron(v), {
        message: 'must be a cron expression such as "0 9 * * 1-5" (minute hour day month weekday)',
      })
      .default('0 9 * * 1-5'),
  ),
  EXTRACT_RATE_PER_USER: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number of extractions per hour' })
      .int('must be a whole number')
      .min(0, 'must be 0 (no limit) or more')
      .default(10),
  ),
  EXTRACT_THREAD_COOLDOWN_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be 0 (no wait) or more')
      .default(300),
  ),
  CODE_AGENT: z.preprocess(
    (value) => (typeof value === 'string' ? emptyToUndefined(value.trim().toLowerCase()) : value),
    z.enum(['builtin', 'delegate', 'off'], { message: 'must be builtin, delegate or off' }).optional(),
  ),
  CODE_MODEL: optionalString,
  CODE_BASE_BRANCH: optionalString,
  CODE_GUIDELINES: optionalString,
  // Blank means the default, not "nothing is protected": removing the protection takes a value.
  CODE_PROTECTED_PATHS: z.preprocess(
    (value) => emptyToUndefined(value),
    z.preprocess(splitList, z.array(z.string()).min(1)).optional(),
  ),
  CODE_MAX_FILES_CHANGED: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: 'must be a number' }).int().min(1, 'must be at least 1').max(500).default(20),
  ),
  CODE_MAX_TURNS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: 'must be a number' }).int().min(1, 'must be at least 1').max(500).default(40),
  ),
  CODE_MAX_COST_USD: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: 'must be a number of dollars' }).positive('must be more than 0').default(3),
  ),
  CODE_TIMEOUT_SECONDS: seconds(1800, 24 * 3600),
  CODE_MAX_CI_ROUNDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int()
      .min(0, 'must be 0 (no CI) or more')
      .max(20)
      .default(3),
  ),
  CODE_CI_TIMEOUT_SECONDS: seconds(1200, 24 * 3600),
  CODE_DELEGATE_COMMENT: optionalString,
  CODE_DELEGATE_ASSIGNEE: optionalString,
  CODE_DELEGATE_TIMEOUT_SECONDS: seconds(3600, 7 * 24 * 3600),
  ...BUILD_ENV_FIELDS,
  SANDBOX: bool,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
});

export interface Config {
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    /** Set → Socket Mode; unset → HTTP receiver on `port`. */
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  port: number;
  host: string;
  /** GET /metrics: on `port` (its own listener, unauthenticated unless a token is set) and/or on PORT with the token. */
  metrics: { port: number | undefined; token: string | undefined };
  /** Unset → embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** REPLICAS: bot processes the operator runs; more than one needs PostgreSQL (PGlite refuses). */
  replicas: number;
  anthropic: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    model: string;
    /** Overall deadline of one Claude call, answer included. */
    timeoutMs: number;
  };
  /** Overall deadline of one HTTP request to Slack or GitHub (each retry gets its own). */
  httpTimeoutMs: number;
  github: {
    token: string | undefined;
    apiUrl: string | undefined;
    /** The repos users may pick from; the first is the default. Never empty. */
    repos: string[];
    defaultRepo: string;
    /** Client-side spacing of writes, as GitHub advises; off only for GHE without secondary limits, or tests. */
    throttle: boolean;
    /** Secret of POST /github/webhooks; unset → every delivery is refused (fail closed). */
    webhookSecret: string | undefined;
    /** When the poll reads issues and PRs (cron), or null when it is off. It needs a token. */
    pollCron: string | null;
  };
  smtp: {
    host: string | undefined;
    port: number;
    secure: boolean;
    user: string | undefined;
    password: string | undefined;
    /** Overall deadline of sending one email, connection to last reply. */
    timeoutMs: number;
  };
  email: { from: string; to: string };
  approvers: string[];
  /** SLACK_ADMINS: who may change project settings besides workspace admins and owners. */
  admins: string[];
  /**
   * APPROVAL_PREVENT_SELF: a task's requester, or its last editor, may not approve it. On by
   * default; off by default in the sandbox, where one person plays every part.
   */
  approval: { preventSelf: boolean };
  /** Scheduled jobs (src/jobs.ts). */
  jobs: {
    /** Audit events older than this many days are deleted once a day. */
    auditRetentionDays: number;
    /** When approvers get one digest per channel of tasks waiting for approval (cron, server time). */
    approvalReminderCron: string;
  };
  /** Rate limits for extraction: per person per hour (0 = none), and the wait before a thread is extracted again. */
  extraction: { perUserPerHour: number; threadCooldownMs: number };
  /** The durable runner: steps at once per process, attempts per step, lease length. */
  runner: { concurrency: number; maxAttempts: number; leaseMs: number; stepTimeoutMs: number };
  /**
   * The local sandbox workspace (no Slack needed): see src/start-mode.ts for when it may start.
   * It listens on `host`: 127.0.0.1 unless HOST is set.
   */
  sandbox: { enabled: boolean; host: string };
  /** Phase 2, the `code` step (src/agents/code). */
  code: CodeConfig;
  /** Phase 3, the `build` step after a merge (src/agents/build). */
  build: BuildConfig;
  /** Phase 4, deploy environments (src/agents/deploy). */
  deploy: DeployConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** A configuration problem; `message` is one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const FALLBACK_REPO = 'example-org/example-repo';

/**
 * The offending value, for the error message, unless it may hold a secret: secret-named
 * variables, and any URL with credentials in it (DATABASE_URL=mysql://user:pass@…).
 * JSON-quoted and cut short so the message stays one line.
 */
function shownValue(variable: string, value: string | undefined): string {
  if (value === undefined || /TOKEN|SECRET|PASSWORD|KEY|DATABASE_URL/.test(variable)) return '';
  if (/^[a-z][a-z0-9+.-]*:\/*[^\s/@]*@/i.test(value)) return '';
  const quoted = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return ` (got ${quoted})`;
}

/** The code step's settings, or the ConfigError that refuses them. */
function codeConfigOf(e: z.infer<typeof EnvSchema>): CodeConfig {
  const resolved = resolveCodeConfig(
    { ...e, apiKey: e.ANTHROPIC_API_KEY ?? e.CLAUDE_API_KEY, githubToken: e.GITHUB_TOKEN },
    e.ANTHROPIC_MODEL,
  );
  if ('problem' in resolved)
    throw new ConfigError(`Invalid configuration: ${resolved.problem}`, 'CODE_AGENT');
  return resolved;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message = (issue?.message ?? 'is invalid').replace(/\s+/g, ' ');
    throw new ConfigError(
      `Invalid configuration: ${variable} ${message}${shownValue(variable, env[variable])}`,
      variable,
    );
  }
  const e = parsed.data;
  const repos = [...new Set([...(e.GITHUB_REPO ? [e.GITHUB_REPO] : []), ...e.GITHUB_REPOS])];
  const defaultRepo = repos[0] ?? FALLBACK_REPO;
  const sandboxEnabled = decideStartMode(env).mode === 'sandbox';
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    port: e.PORT,
    host: e.HOST ?? '0.0.0.0',
    metrics: { port: e.METRICS_PORT, token: e.METRICS_TOKEN },
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    replicas: e.REPLICAS,
    anthropic: {
      apiKey: e.ANTHROPIC_API_KEY ?? e.CLAUDE_API_KEY,
      baseUrl: e.ANTHROPIC_BASE_URL,
      model: e.ANTHROPIC_MODEL,
      timeoutMs: e.ANTHROPIC_TIMEOUT_SECONDS,
    },
    httpTimeoutMs: e.HTTP_TIMEOUT_SECONDS,
    github: {
      token: e.GITHUB_TOKEN,
      apiUrl: e.GITHUB_API_URL,
      repos: repos.length > 0 ? repos : [defaultRepo],
      defaultRepo,
      throttle: e.GITHUB_THROTTLE ?? true,
      webhookSecret: e.GITHUB_WEBHOOK_SECRET,
      pollCron: e.GITHUB_POLL_CRON === 'off' ? null : e.GITHUB_POLL_CRON,
    },
    smtp: {
      host: e.SMTP_HOST,
      port: e.SMTP_PORT,
      secure: e.SMTP_SECURE ?? e.SMTP_PORT === 465,
      user: e.SMTP_USER,
      password: e.SMTP_PASSWORD,
      timeoutMs: e.SMTP_TIMEOUT_SECONDS,
    },
    email: { from: e.EMAIL_FROM, to: e.TARGET_EMAIL ?? 'team@localhost' },
    approvers: e.SLACK_APPROVERS,
    admins: e.SLACK_ADMINS,
    approval: { preventSelf: e.APPROVAL_PREVENT_SELF ?? !sandboxEnabled },
    jobs: { auditRetentionDays: e.AUDIT_RETENTION_DAYS, approvalReminderCron: e.APPROVAL_REMINDER_CRON },
    extraction: {
      perUserPerHour: e.EXTRACT_RATE_PER_USER,
      threadCooldownMs: e.EXTRACT_THREAD_COOLDOWN_SECONDS * 1000,
    },
    runner: {
      concurrency: e.RUNNER_CONCURRENCY,
      maxAttempts: e.RUNNER_MAX_ATTEMPTS,
      leaseMs: Math.round(e.RUNNER_LEASE_SECONDS * 1000),
      stepTimeoutMs: Math.round(e.RUNNER_STEP_TIMEOUT_SECONDS * 1000),
    },
    sandbox: { enabled: sandboxEnabled, host: e.HOST ?? '127.0.0.1' },
    code: codeConfigOf(e),
    ...resolveBuildConfig(e, env),
    logLevel: e.LOG_LEVEL,
  };
}

/** Every variable the app reads; tests check `.env.example` and docker-compose against it. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);
