import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/agents/error-classification.js';
import { createLogger } from '../../src/logger.js';
import { createGitHubClient } from '../../src/services/github.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';

function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug' }, destination), lines };
}

describe('createGitHubClient', () => {
  let gh: GitHubStandIn;
  beforeEach(async () => {
    gh = await startGitHubStandIn();
  });
  afterEach(async () => {
    await gh.close();
  });

  it('talks to the configured base URL with the token', async () => {
    const client = createGitHubClient({
      token: gh.token,
      apiUrl: gh.url,
      logger: createLogger({ level: 'silent' }),
      throttle: false,
    });
    const { data } = await client.rest.users.getAuthenticated();
    expect(data.login).toBe('orchestrator-bot');
    expect(gh.requests[0]).toMatchObject({ method: 'GET', path: '/user', token: gh.token });
  });

  it('retries a 502 and succeeds on the third try', async () => {
    const client = createGitHubClient({
      token: gh.token,
      apiUrl: gh.url,
      logger: createLogger({ level: 'silent' }),
      throttle: false,
      retryAfterBaseMs: 1,
    });
    gh.failNext('GET /repos/:owner/:repo', 502, { times: 2 });
    const { data } = await client.rest.repos.get({ owner: 'acme', repo: 'web' });
    expect(data.full_name).toBe('acme/web');
    expect(gh.requests.map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('gives up after `retries` and reports the 5xx', async () => {
    const client = createGitHubClient({
      token: gh.token,
      apiUrl: gh.url,
      logger: createLogger({ level: 'silent' }),
      throttle: false,
      retries: 1,
      retryAfterBaseMs: 1,
    });
    gh.failNext('GET /repos/:owner/:repo', 503, { times: 5 });
    await expect(client.rest.repos.get({ owner: 'acme', repo: 'web' })).rejects.toMatchObject({
      status: 503,
    });
    expect(gh.requests).toHaveLength(2);
  });

  it('waits out a secondary rate limit when throttling, and logs it', async () => {
    const { logger, lines } = capturingLogger();
    const client = createGitHubClient({ token: gh.token, apiUrl: gh.url, logger, retryAfterBaseMs: 1 });
    gh.failNext('GET /repos/:owner/:repo', 403, { kind: 'secondary-rate-limit', retryAfter: 2 });
    const { data } = await client.rest.repos.get({ owner: 'acme', repo: 'web' });
    expect(data.full_name).toBe('acme/web');
    expect(gh.requests.map((r) => r.status)).toEqual([403, 200]);
    expect(lines.join('')).toContain('secondary rate limit');
  });

  it('stops retrying a rate limit after `retries` attempts', async () => {
    const client = createGitHubClient({
      token: gh.token,
      apiUrl: gh.url,
      logger: createLogger({ level: 'silent' }),
      retries: 2,
      retryAfterBaseMs: 1,
    });
    gh.failNext('GET /repos/:owner/:repo', 403, { kind: 'secondary-rate-limit', retryAfter: 1, times: 10 });
    const error = await client.rest.repos.get({ owner: 'acme', repo: 'web' }).catch((e: unknown) => e);
    expect(gh.requests).toHaveLength(3);
    const classified = classifyError(error, 'Reading acme/web');
    expect(classified.kind).toBe('transient');
    expect(classified.options.retryAfterMs).toBe(1000);
  });

  it('does not wait in-process for a rate limit that resets far in the future', async () => {
    const client = createGitHubClient({
      token: gh.token,
      apiUrl: gh.url,
      logger: createLogger({ level: 'silent' }),
      retryAfterBaseMs: 1,
    });
    gh.failNext('GET /repos/:owner/:repo', 403, { kind: 'rate-limit', retryAfter: 3600, times: 10 });
    const error = await client.rest.repos.get({ owner: 'acme', repo: 'web' }).catch((e: unknown) => e);
    expect(gh.requests).toHaveLength(1);
    const classified = classifyError(error, 'Reading acme/web');
    expect(classified.kind).toBe('transient');
    expect(classified.options.retryAfterMs).toBeGreaterThan(60_000);
  });

  it('with throttle: false, a secondary rate limit is not retried', async () => {
    const client = createGitHubClient({
      token: gh.token,
      apiUrl: gh.url,
      logger: createLogger({ level: 'silent' }),
      throttle: false,
      retryAfterBaseMs: 1,
    });
    gh.failNext('GET /repos/:owner/:repo', 403, { kind: 'secondary-rate-limit', retryAfter: 1 });
    await expect(client.rest.repos.get({ owner: 'acme', repo: 'web' })).rejects.toMatchObject({
      status: 403,
    });
    expect(gh.requests).toHaveLength(1);
  });
});
