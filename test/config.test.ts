import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.js';

/** Secrets set alongside every bad value: none may appear in an error message. */
const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-secretbot',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  SLACK_APP_TOKEN: 'xapp-1-secretapp',
  ANTHROPIC_API_KEY: 'sk-ant-secretkey',
  GITHUB_TOKEN: 'ghp_secretgithubtoken000000000000',
  SMTP_PASSWORD: 'smtp-hunter2',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('runs on an empty environment with embedded defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('./data');
    expect(config.databaseUrl).toBeUndefined(); // → PGlite under dataDir
    expect(config.slack).toEqual({
      botToken: undefined,
      signingSecret: undefined,
      appToken: undefined,
      apiUrl: undefined,
    });
    expect(config.anthropic.apiKey).toBeUndefined();
    expect(config.anthropic.model).toBeTruthy();
    expect(config.github.repos).toEqual([config.github.defaultRepo]);
    expect(config.github.defaultRepo).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(config.smtp).toMatchObject({ host: undefined, port: 587, secure: false });
    expect(config.email.from).toContain('@');
    expect(config.email.to).toContain('@');
    expect(config.approvers).toEqual([]);
    expect(config.logLevel).toBe('info');
  });

  it('treats empty and blank values as unset (a copied .env.example changes nothing)', () => {
    const blank = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, '']));
    expect(loadConfig(blank)).toEqual(loadConfig({}));
    expect(loadConfig({ PORT: '  ', DATABASE_URL: ' ' })).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
    });
  });

  it('keeps the code agent off unless asked, and refuses builtin without a key and a token', () => {
    expect(loadConfig({}).code).toMatchObject({ mode: 'off', protectedPaths: ['.github/workflows/**'] });
    expect(loadConfig({}).code.offReason).toMatch(/not set up/);
    expect(() => loadConfig({ CODE_AGENT: 'builtin', GITHUB_TOKEN: 'ghp_x' })).toThrow(
      /CODE_AGENT.*ANTHROPIC_API_KEY/,
    );
    const on = loadConfig({ CODE_AGENT: 'builtin', GITHUB_TOKEN: 'ghp_x', ANTHROPIC_API_KEY: 'sk-ant-x' });
    expect(on.code).toMatchObject({ mode: 'builtin', offReason: null, maxTurns: 40, maxCostUsd: 3 });
    expect(loadConfig({ CODE_PROTECTED_PATHS: 'a/**, b/*' }).code.protectedPaths).toEqual(['a/**', 'b/*']);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' })).toEqual(loadConfig({}));
  });
});

describe('loadConfig values', () => {
  it('reads Slack, port, host, database and data dir', () => {
    const config = loadConfig({
      ...SECRETS,
      SLACK_API_URL: 'http://127.0.0.1:4000/api/',
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://app:pw@db:5432/orchestrator',
      DATA_DIR: '/var/lib/orchestrator',
    });
    expect(config.slack).toEqual({
      botToken: SECRETS.SLACK_BOT_TOKEN,
      signingSecret: SECRETS.SLACK_SIGNING_SECRET,
      appToken: SECRETS.SLACK_APP_TOKEN,
      apiUrl: 'http://127.0.0.1:4000/api/',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://app:pw@db:5432/orchestrator',
      dataDir: '/var/lib/orchestrator',
    });
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x' }).databaseUrl).toBe(
      'postgresql://localhost/x',
    );
  });

  it('accepts CLAUDE_API_KEY as the Anthropic key, ANTHROPIC_API_KEY winning when both are set', () => {
    expect(loadConfig({ CLAUDE_API_KEY: 'sk-ant-claude' }).anthropic.apiKey).toBe('sk-ant-claude');
    expect(
      loadConfig({ CLAUDE_API_KEY: 'sk-ant-claude', ANTHROPIC_API_KEY: 'sk-ant-anthropic' }).anthropic.apiKey,
    ).toBe('sk-ant-anthropic');
    const config = loadConfig({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/', ANTHROPIC_MODEL: 'claude-x' });
    expect(config.anthropic).toMatchObject({ baseUrl: 'http://127.0.0.1:9/', model: 'claude-x' });
  });

  it('merges GITHUB_REPO and GITHUB_REPOS, GITHUB_REPO first and default, without duplicates', () => {
    const config = loadConfig({ GITHUB_REPO: 'acme/web', GITHUB_REPOS: ' acme/api, acme/web ,,acme/ops ' });
    expect(config.github.repos).toEqual(['acme/web', 'acme/api', 'acme/ops']);
    expect(config.github.defaultRepo).toBe('acme/web');

    const listOnly = loadConfig({ GITHUB_REPOS: 'acme/api,acme/ops' });
    expect(listOnly.github).toMatchObject({ repos: ['acme/api', 'acme/ops'], defaultRepo: 'acme/api' });

    const github = loadConfig({
      GITHUB_TOKEN: 'ghp_x',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
    }).github;
    expect(github).toMatchObject({ token: 'ghp_x', apiUrl: 'https://ghe.example.com/api/v3' });
  });

  it('parses SLACK_APPROVERS as a comma-separated list of user ids', () => {
    expect(loadConfig({ SLACK_APPROVERS: 'U012ABCDEF, W0ENTERPRISE ,' }).approvers).toEqual([
      'U012ABCDEF',
      'W0ENTERPRISE',
    ]);
    expect(loadConfig({ SLACK_APPROVERS: 'U1' }).approvers).toEqual(['U1']);
  });

  it('defaults SMTP_SECURE from the port (465 → implicit TLS), and an explicit value wins', () => {
    expect(loadConfig({ SMTP_PORT: '465' }).smtp.secure).toBe(true);
    expect(loadConfig({ SMTP_PORT: '587' }).smtp.secure).toBe(false);
    expect(loadConfig({ SMTP_PORT: '465', SMTP_SECURE: 'false' }).smtp.secure).toBe(false);
    expect(loadConfig({ SMTP_PORT: '2525', SMTP_SECURE: 'true' }).smtp.secure).toBe(true);
    expect(loadConfig({ SMTP_SECURE: 'Yes' }).smtp.secure).toBe(true);
    expect(loadConfig({ SMTP_SECURE: '0' }).smtp.secure).toBe(false);
  });

  it('reads the SMTP account and the email addresses', () => {
    const config = loadConfig({
      SMTP_HOST: 'smtp.example.com',
      SMTP_USER: 'bot',
      SMTP_PASSWORD: 'pw',
      EMAIL_FROM: 'bot@example.com',
      TARGET_EMAIL: 'team@example.com',
    });
    expect(config.smtp).toMatchObject({ host: 'smtp.example.com', user: 'bot', password: 'pw' });
    expect(config.email).toEqual({ from: 'bot@example.com', to: 'team@example.com' });
  });

  it('reads LOG_LEVEL', () => {
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
  });
});

describe('loadConfig rejects bad values with a one-line ConfigError naming the variable', () => {
  const cases: [string, string][] = [
    ['PORT', 'abc'],
    ['PORT', '12.5'],
    ['PORT', '0'],
    ['SMTP_PORT', '70000'],
    ['SMTP_SECURE', 'maybe'],
    ['GITHUB_REPO', 'noslash'],
    ['GITHUB_REPOS', 'acme/web,noslash'],
    ['TARGET_EMAIL', 'nope'],
    ['EMAIL_FROM', 'not\nan email'],
    ['SLACK_APPROVERS', 'bob'],
    ['SLACK_APPROVERS', 'U012ABCDEF,bob'],
    ['DATABASE_URL', 'mysql://root:hunter2-db-password@db:3306/app'],
    ['LOG_LEVEL', 'loud'],
    ['SLACK_API_URL', 'not a url'],
    ['ANTHROPIC_BASE_URL', 'ftp//nope'],
    ['SLACK_BOT_TOKEN', 'bad-secret-bot-token'],
    ['SLACK_APP_TOKEN', 'xoxb-wrong-kind-secret'],
  ];

  it.each(cases)('%s=%j', (variable, value) => {
    const secrets = Object.fromEntries(Object.entries(SECRETS).filter(([name]) => name !== variable));
    const error = configError({ ...secrets, [variable]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message.split(/\r\n|\r|\n|\u2028|\u2029/)).toHaveLength(1);
    for (const secret of Object.values(SECRETS)) expect(error.message).not.toContain(secret);
    if (/TOKEN|SECRET|PASSWORD|KEY|DATABASE_URL/.test(variable)) {
      expect(error.message).not.toContain(value);
    }
  });

  it('never echoes credentials embedded in a URL', () => {
    for (const url of [
      'ftp://user:s3cr3t-in-url@host/',
      'ftp:/user:s3cr3t-in-url@host',
      'http://u:s3cr3t-in-url@ x',
    ]) {
      const error = configError({ SLACK_API_URL: url });
      expect(error.variable).toBe('SLACK_API_URL');
      expect(error.message).not.toContain('s3cr3t-in-url');
    }
    expect(configError({ DATABASE_URL: 'mysql://root:pw-xyz@db/app' }).message).not.toContain('pw-xyz');
  });

  it('shows a harmless bad value to help the operator', () => {
    expect(configError({ PORT: 'abc' }).message).toContain('"abc"');
    expect(configError({ LOG_LEVEL: 'loud' }).message).toMatch(/LOG_LEVEL .*info/);
  });
});

describe('CONFIG_VARIABLES', () => {
  it('reads the extraction limits (0 turns a limit off) and names a bad one', () => {
    expect(loadConfig({}).extraction).toEqual({ perUserPerHour: 10, threadCooldownMs: 300_000 });
    expect(
      loadConfig({ EXTRACT_RATE_PER_USER: '0', EXTRACT_THREAD_COOLDOWN_SECONDS: '0' }).extraction,
    ).toEqual({
      perUserPerHour: 0,
      threadCooldownMs: 0,
    });
    expect(() => loadConfig({ EXTRACT_RATE_PER_USER: '-1' })).toThrow(
      /^Invalid configuration: EXTRACT_RATE_PER_USER /,
    );
    expect(() => loadConfig({ EXTRACT_THREAD_COOLDOWN_SECONDS: 'soon' })).toThrow(
      /^Invalid configuration: EXTRACT_THREAD_COOLDOWN_SECONDS must be a number of seconds/,
    );
  });

  it('lists the variables loadConfig reads, and only environment-style names', () => {
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'DATABASE_URL', 'PORT']));
    for (const name of CONFIG_VARIABLES) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    // Each listed variable changes the config when set to a plausible value (no dead entries).
    const plausible: Record<string, string> = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:2/',
      GITHUB_API_URL: 'http://127.0.0.1:3/',
      PORT: '3001',
      METRICS_PORT: '9464',
      METRICS_TOKEN: 'a-metrics-token-of-32-characters',
      SMTP_PORT: '2525',
      SMTP_SECURE: 'true',
      DATABASE_URL: 'postgres://localhost/x',
      GITHUB_REPO: 'acme/one',
      GITHUB_REPOS: 'acme/two',
      EMAIL_FROM: 'from@example.com',
      TARGET_EMAIL: 'to@example.com',
      SLACK_APPROVERS: 'U1',
      SLACK_ADMINS: 'U2',
      APPROVAL_PREVENT_SELF: 'true',
      REPLICAS: '2',
      LOG_LEVEL: 'debug',
      AUDIT_RETENTION_DAYS: '30',
      APPROVAL_REMINDER_CRON: '0 8 * * *',
      GITHUB_THROTTLE: 'false',
      RUNNER_CONCURRENCY: '2',
      RUNNER_MAX_ATTEMPTS: '3',
      RUNNER_LEASE_SECONDS: '10',
      RUNNER_STEP_TIMEOUT_SECONDS: '120',
      EXTRACT_RATE_PER_USER: '3',
      EXTRACT_THREAD_COOLDOWN_SECONDS: '60',
      SANDBOX: '0',
      HTTP_TIMEOUT_SECONDS: '5',
      SMTP_TIMEOUT_SECONDS: '5',
      ANTHROPIC_TIMEOUT_SECONDS: '5',
      BUILD_WORKFLOW: 'build.yml',
      BUILD_TIMEOUT_SECONDS: '60',
      BUILD_RUN_APPEAR_SECONDS: '60',
      BUILD_POLL_SECONDS: '5',
      IMAGE_REPOSITORY: 'ghcr.io/acme/web',
      DEPLOY_ENVIRONMENTS:
        '[{"name":"prod","namespace":"web","deployment":"web","container":"app","approval":true}]',
      DEPLOY_PREVENT_SELF_APPROVAL: 'false',
      DEPLOY_APPROVAL_TTL_SECONDS: '60',
      DEPLOY_ROLLOUT_TIMEOUT_SECONDS: '60',
      KUBECONFIG: '/etc/bot/kubeconfig',
      GITHUB_POLL_CRON: 'off',
      CODE_AGENT: 'off',
      CODE_MAX_FILES_CHANGED: '5',
      CODE_MAX_TURNS: '10',
      CODE_MAX_COST_USD: '1',
      CODE_TIMEOUT_SECONDS: '60',
      CODE_MAX_CI_ROUNDS: '1',
      CODE_CI_TIMEOUT_SECONDS: '60',
      CODE_DELEGATE_TIMEOUT_SECONDS: '60',
    };
    const base = loadConfig({});
    for (const name of CONFIG_VARIABLES) {
      expect(loadConfig({ [name]: plausible[name] ?? 'some-value' }), name).not.toEqual(base);
    }
  });
});

describe('GitHub events settings', () => {
  it('leaves webhooks off without a secret, polls every 2 minutes by default, and can turn the poll off', () => {
    const base = loadConfig({});
    expect(base.github.webhookSecret).toBeUndefined();
    expect(base.github.pollCron).toBe('*/2 * * * *');
    expect(loadConfig({ GITHUB_POLL_CRON: 'off' }).github.pollCron).toBeNull();
    expect(loadConfig({ GITHUB_WEBHOOK_SECRET: 's3cret' }).github.webhookSecret).toBe('s3cret');
    expect(() => loadConfig({ GITHUB_POLL_CRON: 'every minute' })).toThrow(/GITHUB_POLL_CRON/);
  });
});
