import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { type AnthropicStandIn, startAnthropicStandIn } from '../support/anthropic-standin.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';

/** Fault injection through the stand-ins: the run still ends right, each effect once. */
describe('faults injected at the network boundary', () => {
  let h: Harness;
  let issuesBefore = 0;
  let mailsBefore = 0;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());
  beforeEach(() => {
    issuesBefore = h.github.issues(REPO).length;
    mailsBefore = h.smtp.messages.length;
  });

  /** Extracts a one-task thread and approves it; returns the card's ts and the task id. */
  async function approvedCard(text: string): Promise<{ ts: string; taskId: string }> {
    const {
      cards: [card],
    } = await h.extractThread(USERS.lead.id, [[USERS.alice.id, text]]);
    if (!card) throw new Error('no card posted');
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    const tasks = await h.database.db.select().from(schema.tasks);
    const task = tasks.find((t) => t.messageTs === card.ts);
    return { ts: card.ts, taskId: task!.id };
  }

  async function execute(ts: string): Promise<void> {
    await h.click(USERS.lead.id, ts, ACTIONS.execute);
  }

  it('GitHub 502 twice then OK: one issue, run done', async () => {
    const card = await approvedCard('We need to add audit logging to the admin API.');
    h.github.failNext('POST /repos/:owner/:repo/issues', 502, { times: 2 });
    await execute(card.ts);
    expect(h.github.issues(REPO).length - issuesBefore).toBe(1);
    expect(h.smtp.messages.length - mailsBefore).toBe(1);
    expect((await h.app.store.getTask(card.taskId))?.status).toBe('done');
  });

  it('GitHub secondary rate limit (403 + Retry-After): waits, retries, one issue, attempt count shown', async () => {
    const card = await approvedCard('We need to document the on-call rotation.');
    h.github.failNext('POST /repos/:owner/:repo/issues', 403, {
      kind: 'secondary-rate-limit',
      retryAfter: 1,
    });
    await execute(card.ts);
    expect(h.github.issues(REPO).length - issuesBefore).toBe(1);
    const latest = await h.app.store.latestRun(card.taskId);
    const ticket = latest?.steps.find((s) => s.agent === 'ticket');
    expect(ticket).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect((await h.app.store.getTask(card.taskId))?.status).toBe('done');
  });

  it('SMTP 451 then OK: retried, one email; the card shows the attempt', async () => {
    const card = await approvedCard('We need to archive the old billing exports.');
    h.smtp.failNext(451, 1);
    await execute(card.ts);
    expect(h.smtp.messages.length - mailsBefore).toBe(1);
    const latest = await h.app.store.latestRun(card.taskId);
    expect(latest?.steps.find((s) => s.agent === 'email')).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(textOf(h.slack.message(CHANNEL, card.ts))).toMatch(/attempt/i);
  });

  it('SMTP 550: permanent failure at once, reason and Retry on the card, no second issue', async () => {
    const card = await approvedCard('We need to rotate the staging TLS certificate.');
    h.smtp.failNext(550, 1);
    await execute(card.ts);
    const latest = await h.app.store.latestRun(card.taskId);
    expect(latest?.run.status).toBe('failed');
    expect(latest?.steps.find((s) => s.agent === 'email')).toMatchObject({ status: 'failed', attempt: 1 });
    const shown = textOf(h.slack.message(CHANNEL, card.ts));
    expect(shown).toMatch(/550/);
    expect(shown).toContain(ACTIONS.retry);
    expect(h.github.issues(REPO).length - issuesBefore).toBe(1);
  });

  it('Slack 429 on chat.update: the final state is still shown', async () => {
    const card = await approvedCard('We need to add a dashboard for queue depth.');
    h.slack.failNext('chat.update', { status: 429, retryAfterSec: 1 }, 2);
    await execute(card.ts);
    const issue = h.github.issues(REPO).at(-1)!;
    expect(textOf(h.slack.message(CHANNEL, card.ts))).toContain(issue.html_url);
    expect(h.slack.calls('chat.update').some((c) => c.args.ts === card.ts)).toBe(true);
  });

  it('Cancel during a slow step: the step is aborted, no email, the card says cancelled', async () => {
    const card = await approvedCard('We need to migrate the cron jobs to the scheduler.');
    h.github.delayMs = 2_000;
    try {
      await h.sender.blockAction({
        user: USERS.lead.id,
        channel: CHANNEL,
        messageTs: card.ts,
        actionId: ACTIONS.execute,
      });
      for (
        let i = 0;
        i < 200 && !JSON.stringify(h.slack.message(CHANNEL, card.ts)?.blocks).includes(ACTIONS.cancel);
        i++
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await h.sender.blockAction({
        user: USERS.lead.id,
        channel: CHANNEL,
        messageTs: card.ts,
        actionId: ACTIONS.cancel,
      });
      await h.app.idle();
    } finally {
      h.github.delayMs = 0;
    }
    expect((await h.app.store.getTask(card.taskId))?.status).toBe('cancelled');
    expect(h.smtp.messages.length - mailsBefore).toBe(0);
    expect(textOf(h.slack.message(CHANNEL, card.ts))).toMatch(/cancel/i);
  });
});

describe('extraction through Claude with the API overloaded once', () => {
  let h: Harness;
  let anthropic: AnthropicStandIn;
  beforeAll(async () => {
    anthropic = await startAnthropicStandIn({ apiKey: 'sk-ant-test' });
    h = await startHarness({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url } });
  });
  afterAll(async () => {
    await h.close();
    await anthropic.close();
  });

  it('retries the 529 and posts the tasks, labelled with the model', async () => {
    anthropic.enqueue(
      {
        kind: 'error',
        status: 529,
        type: 'overloaded_error',
        message: 'Overloaded',
        headers: { 'retry-after': '0' },
      },
      {
        kind: 'tool_use',
        input: {
          tasks: [
            {
              title: 'Add rate limiting to login',
              description: 'Five attempts per minute per IP.',
              acceptance_criteria: ['6th attempt within a minute gets 429'],
              priority: 'HIGH',
              deadline: null,
              labels: ['security'],
              assignee: null,
              evidence: 'M1',
            },
          ],
        },
      },
    );
    const { cards } = await h.extractThread(USERS.lead.id, [
      [USERS.alice.id, 'We need to add rate limiting to login, 5 per minute per IP.'],
    ]);
    expect(anthropic.requests.filter((r) => r.status === 529)).toHaveLength(1);
    expect(cards).toHaveLength(1);
    expect(textOf(cards[0])).toContain('Add rate limiting to login');
    expect(textOf(cards[0])).toMatch(/claude/i);
  });
});
