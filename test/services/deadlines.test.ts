import { APIConnectionTimeoutError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/agents/error-classification.js';
import { createLogger } from '../../src/logger.js';
import { createAnthropicClient } from '../../src/services/anthropic.js';
import { OutboundTimeoutError } from '../../src/services/deadline.js';
import { createGitHubClient } from '../../src/services/github.js';
import { createMailer, type OutgoingMail } from '../../src/services/mailer.js';
import { type AnthropicStandIn, startAnthropicStandIn } from '../support/anthropic-standin.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { type SmtpStandIn, startSmtpStandIn } from '../support/smtp-standin.js';

/**
 * Every client the bot builds gives up on a server that hangs or trickles, within its deadline,
 * with an error the runner treats as transient; the step's own AbortSignal still aborts at once.
 * The real clients against the stand-ins; no timing is asserted, only that the call ends and how.
 */

const logger = createLogger({ level: 'silent' });
const DEADLINE_MS = 300;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function github(): Promise<GitHubStandIn> {
  const gh = await startGitHubStandIn();
  cleanup.push(() => gh.close());
  return gh;
}

function client(gh: GitHubStandIn, retries = 0) {
  return createGitHubClient({
    token: gh.token,
    apiUrl: gh.url,
    logger,
    throttle: false,
    retries,
    retryAfterBaseMs: 1,
    timeoutMs: DEADLINE_MS,
  });
}

describe('GitHub client deadline', () => {
  it.each([
    ['hangs', { mode: 'hang' }],
    ['trickles its answer', { mode: 'trickle', intervalMs: 50 }],
  ] as const)('a server that %s: fails as transient "did not answer"', async (_name, stall) => {
    const gh = await github();
    gh.stallNext('GET /repos/:owner/:repo', stall, 5);
    const error = await client(gh)
      .rest.repos.get({ owner: 'acme', repo: 'web' })
      .catch((e: unknown) => e);
    const classified = classifyError(error, 'Reading acme/web');
    expect(classified).toMatchObject({ kind: 'transient' });
    expect(classified.message).toBe('Reading acme/web: GitHub did not answer within 0.3 s');
  });

  it('retries a read that timed out, like any 5xx', async () => {
    const gh = await github();
    gh.stallNext('GET /repos/:owner/:repo', { mode: 'hang' });
    const { data } = await client(gh, 1).rest.repos.get({ owner: 'acme', repo: 'web' });
    expect(data.full_name).toBe('acme/web');
    expect(gh.requests).toHaveLength(2);
  });

  it('never repeats a write on its own (it may have happened): a 502 on POST is one request', async () => {
    const gh = await github();
    gh.failNext('POST /repos/:owner/:repo/issues', 502, { times: 3 });
    const error = await client(gh, 3)
      .rest.issues.create({ owner: 'acme', repo: 'web', title: 't' })
      .catch((e: unknown) => e);
    expect(classifyError(error, 'Creating').kind).toBe('transient');
    expect(gh.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 502']);
  });

  it("the step's own signal still aborts, at once and without retries", async () => {
    const gh = await github();
    gh.stallNext('GET /repos/:owner/:repo', { mode: 'hang' }, 5);
    const octokit = createGitHubClient({
      token: gh.token,
      apiUrl: gh.url,
      logger,
      throttle: false,
      retries: 3,
      retryAfterBaseMs: 1000,
      // Longer than any test: only the step's signal can end this call.
      timeoutMs: 600_000,
    });
    const step = new AbortController();
    const call = octokit.rest.repos.get({ owner: 'acme', repo: 'web', request: { signal: step.signal } });
    while (gh.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    step.abort(new Error('cancelled'));
    const error = await call.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(OutboundTimeoutError);
    expect(gh.requests).toHaveLength(1);
  });
});

describe('Anthropic client deadline', () => {
  let anthropic: AnthropicStandIn;
  afterEach(async () => anthropic.close());

  it.each([
    ['hangs', { kind: 'hang' }],
    ['trickles its answer', { kind: 'trickle', input: { tasks: [] }, intervalMs: 50 }],
  ] as const)('a server that %s: the SDK gives up with a connection timeout', async (_name, scripted) => {
    anthropic = await startAnthropicStandIn();
    anthropic.enqueue(scripted);
    const claude = createAnthropicClient({
      apiKey: anthropic.apiKey,
      baseUrl: anthropic.url,
      maxRetries: 0,
      timeoutMs: DEADLINE_MS,
    });
    const error = await claude?.messages
      .create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });
});

describe('SMTP deadline', () => {
  let smtp: SmtpStandIn;
  afterEach(async () => smtp.close());

  const mail: OutgoingMail = {
    from: 'bot@acme.test',
    to: 'team@acme.test',
    subject: 's',
    text: 't',
    html: '<p>t</p>',
    messageId: '<m-1@acme.test>',
  };

  function mailer(timeoutMs = DEADLINE_MS) {
    return createMailer({
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        user: undefined,
        password: undefined,
        timeoutMs,
      },
      outboxDir: '/nonexistent',
      logger,
    });
  }

  it.each([
    ['never greets', { mode: 'hang' }],
    ['trickles a reply, one byte at a time (no idle timeout fires)', { mode: 'trickle', intervalMs: 50 }],
  ] as const)('a server that %s: fails as transient "did not answer"', async (_name, stall) => {
    smtp = await startSmtpStandIn();
    smtp.stallNext(stall);
    const m = mailer();
    const error = await m.send(mail).catch((e: unknown) => e);
    m.close();
    expect(error).toBeInstanceOf(OutboundTimeoutError);
    expect(classifyError(error, 'Sending the email')).toMatchObject({
      kind: 'transient',
      message: 'Sending the email: the mail server did not answer within 0.3 s',
    });
    expect(smtp.messages).toHaveLength(0);
  });

  it('after a stalled connection, the next send goes through', async () => {
    smtp = await startSmtpStandIn();
    smtp.stallNext({ mode: 'trickle', intervalMs: 50 });
    // Room for a real send on a busy machine; the trickle still outlasts it.
    const m = mailer(3000);
    await m.send(mail).catch(() => undefined);
    await m.send(mail);
    m.close();
    expect(smtp.messages).toHaveLength(1);
  });
});
