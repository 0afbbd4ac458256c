import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../src/logger.js';

const SLACK_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp';
const APP_TOKEN = 'xapp-1-A0123-456-abcdef0123456789';
const GITHUB_TOKEN = `ghp_${'Z9'.repeat(18)}`;
const ANTHROPIC_KEY = 'sk-ant-api03-secretsecretsecret';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SMTP_PASSWORD = 'smtp-hunter2-password';
const DB_PASSWORD = 'db-correct-horse';
const SECRETS = [
  SLACK_TOKEN,
  APP_TOKEN,
  GITHUB_TOKEN,
  ANTHROPIC_KEY,
  SIGNING_SECRET,
  SMTP_PASSWORD,
  DB_PASSWORD,
];

/** A logger writing into memory; `lines()` parses what reached the destination. */
function capture(level = 'trace') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level, name: 'test' }, stream);
  return {
    logger,
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function expectNoSecret(raw: string): void {
  for (const secret of SECRETS) expect(raw).not.toContain(secret);
}

describe('createLogger keeps secrets out of the output', () => {
  it('censors secret fields at every depth and keeps the rest', () => {
    const { logger, raw, lines } = capture();
    logger.info({ token: SLACK_TOKEN, channel: 'C123' }, 'top-level token');
    logger.info(
      {
        config: {
          slack: { botToken: SLACK_TOKEN, appToken: APP_TOKEN, signingSecret: SIGNING_SECRET },
          port: 3000,
        },
      },
      'config',
    );
    logger.info(
      { headers: { authorization: `Bearer ${SLACK_TOKEN}`, 'content-type': 'application/json' } },
      'h',
    );
    logger.info({
      smtp: { host: 'smtp.example.com', password: SMTP_PASSWORD, auth: { user: 'bot', pass: SMTP_PASSWORD } },
    });
    logger.info({ apiKey: ANTHROPIC_KEY, model: 'claude' }, 'anthropic');
    logger.info({
      request: { headers: { Authorization: `token ${GITHUB_TOKEN}`, 'x-api-key': ANTHROPIC_KEY } },
    });
    logger.info(
      { a: { b: { c: { d: { token: 'opaque-token-value', GITHUB_TOKEN: 'opaque-2' } } } } },
      'deep',
    );
    logger.info({
      env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, ANTHROPIC_API_KEY: 'opaque-3', PORT: '3000' },
    });

    const out = raw();
    expectNoSecret(out);
    for (const opaque of ['opaque-token-value', 'opaque-2', 'opaque-3']) expect(out).not.toContain(opaque);
    const [first, second, third, fourth, fifth, , seventh, eighth] = lines();
    expect(first).toMatchObject({ token: '[Redacted]', channel: 'C123', msg: 'top-level token' });
    expect(second).toMatchObject({ config: { slack: { botToken: '[Redacted]' }, port: 3000 } });
    expect(third).toMatchObject({
      headers: { authorization: '[Redacted]', 'content-type': 'application/json' },
    });
    expect(fourth).toMatchObject({ smtp: { host: 'smtp.example.com', auth: { user: 'bot' } } });
    expect(fifth).toMatchObject({ apiKey: '[Redacted]', model: 'claude' });
    expect(seventh).toMatchObject({ a: { b: { c: { d: { token: '[Redacted]' } } } }, msg: 'deep' });
    expect(eighth).toMatchObject({ env: { PORT: '3000' } });
  });

  it('scrubs token-shaped text in messages, format arguments and string fields', () => {
    const { logger, raw, lines } = capture();
    logger.info(`posting with ${SLACK_TOKEN} to C123`);
    logger.info('calling GitHub with %s for %s', GITHUB_TOKEN, 'acme/web');
    logger.info('payload %j', { note: `key ${ANTHROPIC_KEY}` });
    logger.info({
      url: `https://hooks.example.com/?t=${SLACK_TOKEN}`,
      dsn: `postgres://app:${DB_PASSWORD}@db/x`,
    });

    expectNoSecret(raw());
    const [first, second, , fourth] = lines();
    expect(first?.msg).toBe('posting with [Redacted] to C123');
    expect(second?.msg).toBe('calling GitHub with [Redacted] for acme/web');
    expect(fourth).toMatchObject({
      url: 'https://hooks.example.com/?t=[Redacted]',
      dsn: 'postgres://app:[Redacted]@db/x',
    });
  });

  it('scrubs Errors (message, stack, cause, fields) without mutating them', () => {
    const { logger, raw, lines } = capture();
    const err = new Error(`GitHub refused ${GITHUB_TOKEN}`);
    logger.error(err);
    logger.error({ err }, 'issue creation failed');
    const wrapped = Object.assign(new Error('request failed', { cause: new Error(`inner ${SLACK_TOKEN}`) }), {
      status: 401,
      request: { headers: { authorization: `token ${GITHUB_TOKEN}` } },
    });
    logger.warn({ error: wrapped }, 'not under err');

    expectNoSecret(raw());
    expect(err.message).toBe(`GitHub refused ${GITHUB_TOKEN}`); // the caller's Error is untouched
    const [first, second, third] = lines();
    expect(first).toMatchObject({ msg: 'GitHub refused [Redacted]', err: { type: 'Error' } });
    expect(first).toMatchObject({ err: { stack: expect.stringContaining('GitHub refused [Redacted]') } });
    expect(second).toMatchObject({
      msg: 'issue creation failed',
      err: { message: 'GitHub refused [Redacted]' },
    });
    expect(third).toMatchObject({
      msg: 'not under err',
      error: { type: 'Error', status: 401, request: { headers: { authorization: '[Redacted]' } } },
    });
  });

  it('censors secrets in child bindings', () => {
    const { logger, raw, lines } = capture();
    logger.child({ component: 'slack', botToken: SLACK_TOKEN }).info('child');
    expectNoSecret(raw());
    expect(lines()[0]).toMatchObject({ component: 'slack', msg: 'child' });
  });

  it('keeps ordinary fields, counts and circular structures loggable', () => {
    const { logger, lines } = capture();
    const loop: Record<string, unknown> = { id: 'run-1' };
    loop.self = loop;
    logger.info({ usage: { inputTokens: 12, tokens: 3 }, loop, at: new Date(0) }, 'usage');
    expect(lines()[0]).toMatchObject({
      usage: { inputTokens: 12, tokens: 3 },
      loop: { id: 'run-1', self: '[Circular]' },
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });
});

describe('scrubSecrets', () => {
  it('replaces every token shape and leaves other text alone', () => {
    const text = `a ${SLACK_TOKEN} b ${APP_TOKEN} c ${GITHUB_TOKEN} d ${ANTHROPIC_KEY} e github_pat_11ABCDEFG0_xyz`;
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).toBe('a [Redacted] b [Redacted] c [Redacted] d [Redacted] e [Redacted]');
    expect(scrubSecrets('Authorization: Bearer abcdefghijklmnop')).toBe('Authorization: Bearer [Redacted]');
    expect(scrubSecrets('plain text about tokens and 42 issues')).toBe(
      'plain text about tokens and 42 issues',
    );
  });
});
