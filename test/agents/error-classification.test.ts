import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/agents/error-classification.js';
import { AgentError } from '../../src/agents/types.js';
import { createLogger } from '../../src/logger.js';
import { createGitHubClient } from '../../src/services/github.js';
import { createMailer } from '../../src/services/mailer.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { type SmtpStandIn, startSmtpStandIn } from '../support/smtp-standin.js';

const logger = createLogger({ level: 'silent' });

/** A port nothing listens on: bind one, note it, release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('classifyError: GitHub errors as Octokit throws them', () => {
  let gh: GitHubStandIn;
  beforeAll(async () => {
    gh = await startGitHubStandIn();
  });
  afterAll(async () => {
    await gh.close();
  });

  const client = (token = gh.token, apiUrl = gh.url) =>
    createGitHubClient({ token, apiUrl, logger, throttle: false, retries: 0 });

  const failure = async (fn: () => Promise<unknown>) => {
    const error = await fn().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    return classifyError(error, 'Creating the GitHub issue in acme/web');
  };

  it('401: permanent; approvers are told to check GITHUB_TOKEN, the channel is not; never the token', async () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const e = await failure(() => client(token).rest.users.getAuthenticated());
    expect(e).toBeInstanceOf(AgentError);
    expect(e.kind).toBe('permanent');
    expect(e.message).toBe("GitHub refused the bot's credentials (401)");
    expect(e.detail).toBe('GitHub refused the token (401): check GITHUB_TOKEN');
  });

  it('404 on a repo: permanent, names the repo', async () => {
    const e = await failure(() => client().rest.issues.create({ owner: 'acme', repo: 'gone', title: 't' }));
    expect(e.kind).toBe('permanent');
    expect(e.message).toBe('Repository acme/gone not found or the token cannot see it (404)');
  });

  it('403 without a rate limit: permanent', async () => {
    gh.failNext('POST /repos/:owner/:repo/issues', 403, {
      message: 'Resource not accessible by integration',
    });
    const e = await failure(() => client().rest.issues.create({ owner: 'acme', repo: 'web', title: 't' }));
    expect(e.kind).toBe('permanent');
    expect(e.message).toContain('acme/web');
    expect(e.message).toContain('Resource not accessible by integration');
  });

  it('403 secondary rate limit: transient with retry-after', async () => {
    gh.failNext('GET /user', 403, { kind: 'secondary-rate-limit', retryAfter: 30 });
    const e = await failure(() => client().rest.users.getAuthenticated());
    expect(e.kind).toBe('transient');
    expect(e.options.retryAfterMs).toBe(30_000);
  });

  it('403 primary rate limit: transient, waits until the reset', async () => {
    gh.failNext('GET /user', 403, { kind: 'rate-limit', retryAfter: 600 });
    const e = await failure(() => client().rest.users.getAuthenticated());
    expect(e.kind).toBe('transient');
    // retry-after 600 s is sent too, and wins
    expect(e.options.retryAfterMs).toBe(600_000);
  });

  it('429: transient with retry-after', async () => {
    gh.failNext('GET /user', 429, { retryAfter: 5 });
    const e = await failure(() => client().rest.users.getAuthenticated());
    expect(e.kind).toBe('transient');
    expect(e.options.retryAfterMs).toBe(5000);
  });

  it('422: permanent, with GitHub’s validation detail', async () => {
    gh.failNext('POST /repos/:owner/:repo/issues', 422, {
      errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
    });
    const e = await failure(() => client().rest.issues.create({ owner: 'acme', repo: 'web', title: 't' }));
    expect(e.kind).toBe('permanent');
    expect(e.message).toContain('(422)');
    expect(e.message).toContain('Issue title missing_field');
  });

  it('5xx: transient', async () => {
    for (const status of [500, 502, 503]) {
      gh.failNext('GET /user', status);
      const e = await failure(() => client().rest.users.getAuthenticated());
      expect(e.kind).toBe('transient');
      expect(e.message).toContain(String(status));
    }
  });

  it('connection refused: transient, names the cause', async () => {
    const port = await closedPort();
    const e = await failure(() => client(gh.token, `http://127.0.0.1:${port}`).rest.users.getAuthenticated());
    expect(e.kind).toBe('transient');
    expect(e.message).toContain('ECONNREFUSED');
  });
});

describe('classifyError: SMTP errors as nodemailer throws them', () => {
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await startSmtpStandIn({ users: { mailer: 'right' } });
  });
  afterAll(async () => {
    await smtp.close();
  });

  const send = async (code: number | null, password = 'right') => {
    const mailer = createMailer({
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'mailer', password },
      outboxDir: '/nonexistent',
      logger,
    });
    if (code !== null) smtp.failNext(code);
    const error = await mailer
      .send({
        from: 'a@acme.test',
        to: 'b@acme.test',
        subject: 's',
        text: 't',
        html: 'h',
        messageId: '<m@x>',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    mailer.close();
    expect(error).toBeDefined();
    return classifyError(error, 'Sending the email');
  };

  it('4xx reply: transient', async () => {
    const e = await send(451);
    expect(e.kind).toBe('transient');
    expect(e.message).toContain('451');
  });

  it('5xx reply: permanent', async () => {
    const e = await send(552);
    expect(e.kind).toBe('permanent');
    expect(e.message).toContain('552');
  });

  it('bad credentials: permanent; the detail names the settings, the message does not; never the password', async () => {
    const e = await send(null, 'wrong-password-value');
    expect(e.kind).toBe('permanent');
    expect(e.message).toBe("The mail server refused the bot's login (535)");
    expect(e.detail).toContain('SMTP_PASSWORD');
    expect(`${e.message} ${e.detail}`).not.toContain('wrong-password-value');
  });

  it('connection errors: transient', () => {
    const err = Object.assign(new Error('Connection closed unexpectedly'), {
      code: 'ECONNECTION',
      command: 'CONN',
    });
    expect(classifyError(err, 'Sending the email')).toMatchObject({ kind: 'transient' });
  });
});

describe('classifyError: everything else', () => {
  it('passes an AgentError through unchanged', () => {
    const original = new AgentError('already classified', 'permanent');
    expect(classifyError(original, 'x')).toBe(original);
  });

  it('unknown errors are transient and keep their message', () => {
    const e = classifyError(new Error('something odd'), 'Creating the issue');
    expect(e).toMatchObject({ kind: 'transient', message: 'Creating the issue: something odd' });
    expect(e.options.cause).toBeInstanceOf(Error);
  });

  it('never carries a token or a stack trace', () => {
    const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const err = new Error(
      `request with ${secret} failed\n    at fn (/app/src/x.ts:1:1)\n    at other (/app/y.ts:2:2)`,
    );
    const e = classifyError(err, 'Doing it');
    expect(e.message).not.toContain(secret);
    expect(e.message).toContain('[Redacted]');
    expect(e.message).not.toContain('\n');
    expect(e.message).not.toMatch(/\bat fn\b/);
  });

  it('an abort is transient', () => {
    const controller = new AbortController();
    controller.abort();
    const e = classifyError(controller.signal.reason, 'Sending the email');
    expect(e).toMatchObject({ kind: 'transient', message: 'Sending the email: cancelled' });
  });

  it('non-Error values still give a message', () => {
    expect(classifyError('boom', 'Doing it').message).toBe('Doing it: boom');
    expect(classifyError(undefined, 'Doing it').message).toBe('Doing it: unknown error');
  });
});
