import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../db/index.js';
import { ACTIONS } from '../src/slack/ids.js';
import { type AnthropicStandIn, startAnthropicStandIn } from './support/anthropic-standin.js';
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness, USERS } from './support/harness.js';

/**
 * Full runs, failures included (GitHub 401, SMTP 535, Anthropic errors with request ids, Slack
 * refusing calls, deadlines), at the most verbose log level: no token, signing secret, password
 * or API key may appear in any log line, Slack message, GitHub issue or email. Every log line
 * is also valid JSON without a repeated key (a key bound twice by child loggers).
 */

const ANTHROPIC_KEY = 'sk-ant-api03-secret-key-for-the-leak-test-0123456789';
const SMTP_USER = 'orchestrator-mailer';
const SMTP_PASSWORD = 'smtp-password-for-the-leak-test';

const task = {
  title: 'Rotate the deploy keys',
  description: 'The old ones were shared in a ticket.',
  acceptance_criteria: ['Old keys revoked'],
  priority: 'HIGH',
  deadline: null,
  labels: ['security'],
  assignee: null,
  evidence: 'M1',
};

/** The top-level keys of one JSON object, in order, repeats kept (JSON.parse keeps only the last). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < json.length) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      const text = json.slice(i + 1, j);
      let k = j + 1;
      while (json[k] === ' ') k++;
      if (depth === 1 && json[k] === ':') keys.push(text);
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    if (c === '}' || c === ']') depth--;
    i++;
  }
  return keys;
}

describe('secrets never leave the process', () => {
  let h: Harness;
  let anthropic: AnthropicStandIn;
  const logLines: string[] = [];

  beforeAll(async () => {
    anthropic = await startAnthropicStandIn({ apiKey: ANTHROPIC_KEY });
    h = await startHarness({
      env: {
        EXTRACT_RATE_PER_USER: '0',
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        ANTHROPIC_BASE_URL: anthropic.url,
        SMTP_USER,
        SMTP_PASSWORD,
        LOG_LEVEL: 'trace',
        RUNNER_MAX_ATTEMPTS: '2',
        HTTP_TIMEOUT_SECONDS: '1',
        ANTHROPIC_TIMEOUT_SECONDS: '1',
      },
      smtpUsers: { [SMTP_USER]: SMTP_PASSWORD },
      start: { githubRetries: 1 },
      logDestination: new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      }),
    });
  });
  afterAll(async () => {
    await h.close();
    await anthropic.close();
  });

  it('through extractions, runs and failures of every service', async () => {
    // Claude failing: a 500 with a request id (three tries), then a 401, then a hang.
    anthropic.enqueue(
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
    );
    await h.extractThread(USERS.lead.id, [[USERS.alice.id, 'We need to rotate the deploy keys.']]);
    anthropic.enqueue({ kind: 'error', status: 401 });
    await h.extractThread(USERS.lead.id, [[USERS.alice.id, 'We need to rotate the deploy keys.']]);
    anthropic.enqueue({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    await h.extractThread(USERS.lead.id, [[USERS.alice.id, 'We need to rotate the deploy keys.']]);
    // Slack refusing the summary once.
    h.slack.failNext('chat.postMessage', { error: 'invalid_auth' });
    anthropic.enqueue({ kind: 'tool_use', input: { tasks: [task] } });
    await h.extractThread(USERS.lead.id, [[USERS.alice.id, 'We need to rotate the deploy keys.']]);

    anthropic.enqueue({ kind: 'tool_use', input: { tasks: [task] } });
    const {
      cards: [card],
    } = await h.extractThread(USERS.lead.id, [[USERS.alice.id, 'We need to rotate the deploy keys.']]);
    if (!card) throw new Error('no card');
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);

    // GitHub: the token refused everywhere, then a hang; the card fails, Retry later works.
    h.github.failNext('*', 401, { times: 100 });
    await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
    h.github.clearFaults();
    h.github.stallNext('*', { mode: 'hang' }, 100);
    await h.click(USERS.lead.id, card.ts, ACTIONS.retry);
    h.github.clearFaults();

    // SMTP: the login refused (535); then fixed, with Slack refusing one card update meanwhile.
    h.smtp.users = { [SMTP_USER]: 'changed-by-the-mail-admin' };
    await h.click(USERS.lead.id, card.ts, ACTIONS.retry);
    h.smtp.users = { [SMTP_USER]: SMTP_PASSWORD };
    h.slack.failNext('chat.update', { error: 'token_revoked' });
    await h.click(USERS.lead.id, card.ts, ACTIONS.retry);

    const stored = (await h.database.db.select().from(schema.tasks)).find((t) => t.messageTs === card.ts);
    expect(stored).toBeDefined();
    // The runs happened as scripted: failures seen, and in the end one issue and one email.
    expect(h.github.requests.some((r) => r.status === 401)).toBe(true);
    expect(anthropic.requests.some((r) => r.status === 500)).toBe(true);
    expect((await h.app.store.latestRun(stored!.id))?.run.status).toBe('succeeded');
    expect(h.smtp.messages).toHaveLength(1);
    expect(logLines.join('\n')).toMatch(/"level":10|"level":20/);

    const secrets = {
      'Slack bot token': h.slack.token,
      'Slack signing secret': SIGNING_SECRET,
      'GitHub token': h.github.token,
      'SMTP password': SMTP_PASSWORD,
      'Anthropic API key': ANTHROPIC_KEY,
    };
    const everything = {
      logs: logLines.join('\n'),
      'Slack messages and calls': JSON.stringify([
        h.slack.calls(),
        h.slack.responses(),
        h.slack.ephemerals(),
        h.slack.thread(CHANNEL, card.ts),
      ]),
      'GitHub issues and request bodies': JSON.stringify([
        h.github.issues('acme/web'),
        h.github.requests.map((r) => [r.path, r.query, r.body]),
      ]),
      emails: h.smtp.messages.map((m) => m.raw).join('\n'),
    };
    for (const [where, text] of Object.entries(everything)) {
      for (const [what, value] of Object.entries(secrets)) {
        expect(text.includes(value), `${what} found in ${where}`).toBe(false);
      }
    }

    for (const line of logLines) {
      expect(() => JSON.parse(line), line).not.toThrow();
      const keys = topLevelKeys(line);
      expect(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        line,
      ).toEqual([]);
    }
  }, 120_000);
});
