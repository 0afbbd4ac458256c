import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import type { StandInFault } from '../../src/sandbox/slack-web-api.js';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  type AnthropicStandIn,
  type ScriptedResponse,
  startAnthropicStandIn,
} from '../support/anthropic-standin.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';
import { failOnUnhandledErrors } from '../support/process-watch.js';
import type { SmtpStall } from '../support/smtp-standin.js';

/**
 * SMTP, Slack and Anthropic failing the ways they do (refused login, 5xx, 429, a server that
 * hangs or trickles): the bot stays up, says what happened where it can, and the next action
 * works once the service is back. Real clients, signed Slack requests, short deadlines.
 */

const SMTP_LOGIN = { user: 'orchestrator', password: 'smtp-pass-for-tests' };

async function approvedCard(h: Harness, text: string): Promise<{ ts: string; taskId: string }> {
  const {
    cards: [card],
  } = await h.extractThread(USERS.lead.id, [[USERS.alice.id, text]]);
  if (!card) throw new Error('no card posted');
  await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
  const task = (await h.database.db.select().from(schema.tasks)).find((t) => t.messageTs === card.ts);
  if (!task) throw new Error('no task stored for the card');
  return { ts: card.ts, taskId: task.id };
}

describe('outbound services failing', () => {
  failOnUnhandledErrors();

  describe('SMTP', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        env: {
          EXTRACT_RATE_PER_USER: '0',
          SMTP_USER: SMTP_LOGIN.user,
          SMTP_PASSWORD: SMTP_LOGIN.password,
          SMTP_TIMEOUT_SECONDS: '1',
          RUNNER_MAX_ATTEMPTS: '2',
        },
        smtpUsers: { [SMTP_LOGIN.user]: SMTP_LOGIN.password },
      });
    });
    afterAll(async () => h.close());
    afterEach(() => {
      h.smtp.clearFaults();
      h.smtp.users = { [SMTP_LOGIN.user]: SMTP_LOGIN.password };
    });

    const cases: Array<{ name: string; inject: () => void; shows: RegExp; attempts: number }> = [
      {
        name: 'login refused (535)',
        inject: () => {
          h.smtp.users = { [SMTP_LOGIN.user]: 'the-password-was-changed' };
        },
        shows: /The mail server refused the bot's login \(535\)/,
        attempts: 1,
      },
      {
        name: 'a server that never greets',
        inject: () => h.smtp.stallNext({ mode: 'hang' } satisfies SmtpStall, 50),
        shows: /the mail server did not answer within 1 s/,
        attempts: 2,
      },
      {
        name: 'a server that trickles its replies',
        inject: () => h.smtp.stallNext({ mode: 'trickle', intervalMs: 100 }, 50),
        shows: /the mail server did not answer within 1 s/,
        attempts: 2,
      },
    ];

    it.each(cases)(
      '$name: the email step fails on the card; after the fix, Retry sends one email',
      async ({ inject, shows, attempts }) => {
        const card = await approvedCard(h, 'We need to renew the support mailbox certificate.');
        const mailsBefore = h.smtp.messages.length;
        inject();
        await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
        const latest = await h.app.store.latestRun(card.taskId);
        expect(latest?.run.status).toBe('failed');
        expect(latest?.steps.find((s) => s.agent === 'email')).toMatchObject({
          status: 'failed',
          attempt: attempts,
        });
        const shown = textOf(h.slack.message(CHANNEL, card.ts));
        expect(shown).toMatch(shows);
        expect(shown).toContain(ACTIONS.retry);

        h.smtp.clearFaults();
        h.smtp.users = { [SMTP_LOGIN.user]: SMTP_LOGIN.password };
        await h.click(USERS.lead.id, card.ts, ACTIONS.retry);
        expect((await h.app.store.getTask(card.taskId))?.status).toBe('done');
        expect(h.smtp.messages.length - mailsBefore).toBe(1);
      },
    );
  });

  describe('Slack', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ env: { EXTRACT_RATE_PER_USER: '0', HTTP_TIMEOUT_SECONDS: '1' } });
    });
    afterAll(async () => h.close());
    afterEach(() => h.slack.clearFaults());

    const FAULTS: Array<[string, StandInFault]> = [
      ['500', { status: 500, error: 'internal_error' }],
      ['a revoked token (invalid_auth)', { error: 'invalid_auth' }],
      ['a hang', { stall: 'hang' }],
      ['a slow trickle', { stall: 'trickle', trickleMs: 100 }],
    ];

    it.each(FAULTS)(
      'chat.update answering %s during a run: the run still finishes; later cards update',
      async (_name, fault) => {
        const card = await approvedCard(h, 'We need to clean up the stale feature flags.');
        h.slack.failNext('chat.update', fault, 100);
        await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
        expect((await h.app.store.getTask(card.taskId))?.status).toBe('done');

        h.slack.clearFaults();
        const next = await approvedCard(h, 'We need to add a retention policy to the audit bucket.');
        await h.click(USERS.lead.id, next.ts, ACTIONS.execute);
        const issue = h.github.issues(REPO).at(-1);
        expect(textOf(h.slack.message(CHANNEL, next.ts))).toContain(issue?.html_url);
      },
    );

    it.each(FAULTS)(
      'chat.postMessage answering %s during /extract: the requester is told; the next /extract works',
      async (_name, fault) => {
        const responsesBefore = h.slack.responses().length;
        h.slack.failNext('chat.postMessage', fault, 100);
        const failed = await h.extractThread(USERS.lead.id, [
          [USERS.alice.id, 'We need to fix the flaky login test.'],
        ]);
        expect(failed.cards).toHaveLength(0);
        const told = h.slack.responses().slice(responsesBefore);
        expect(JSON.stringify(told)).toMatch(/extracting tasks failed|try again/i);

        h.slack.clearFaults();
        const ok = await h.extractThread(USERS.lead.id, [
          [USERS.alice.id, 'We need to fix the flaky signup test.'],
        ]);
        expect(ok.cards).toHaveLength(1);
      },
    );
  });

  describe('Anthropic', () => {
    let h: Harness;
    let anthropic: AnthropicStandIn;
    beforeAll(async () => {
      anthropic = await startAnthropicStandIn({ apiKey: 'sk-ant-faults-test' });
      h = await startHarness({
        env: {
          EXTRACT_RATE_PER_USER: '0',
          ANTHROPIC_API_KEY: anthropic.apiKey,
          ANTHROPIC_BASE_URL: anthropic.url,
          ANTHROPIC_TIMEOUT_SECONDS: '1',
        },
      });
    });
    afterAll(async () => {
      await h.close();
      await anthropic.close();
    });

    const task = {
      title: 'Fix the flaky checkout test',
      description: 'It fails one run in ten.',
      acceptance_criteria: ['Ten runs in a row pass'],
      priority: 'MEDIUM',
      deadline: null,
      labels: ['test'],
      assignee: null,
      evidence: 'M1',
    };
    // The SDK tries three times (two retries) when the failure is worth retrying.
    const thrice = (r: ScriptedResponse): ScriptedResponse[] => [r, r, r];
    const CASES: Array<[string, ScriptedResponse[], RegExp]> = [
      ['401', [{ kind: 'error', status: 401 }], /API key was rejected \(401\)/],
      ['403', [{ kind: 'error', status: 403 }], /may not use this model \(403\)/],
      ['500', thrice({ kind: 'error', status: 500 }), /Anthropic API failed \(500\)/],
      [
        '429',
        thrice({ kind: 'error', status: 429, headers: { 'retry-after': '0' } }),
        /rate limit reached \(429\)/,
      ],
      ['a hang', thrice({ kind: 'hang' }), /did not answer in time/],
      [
        'a slow trickle',
        thrice({ kind: 'trickle', input: { tasks: [task] }, intervalMs: 100 }),
        /did not answer in time/,
      ],
    ];

    it.each(CASES)(
      'Claude answering %s: the requester is told; the next /extract works',
      async (_name, script, told) => {
        const responsesBefore = h.slack.responses().length;
        anthropic.enqueue(...script);
        const failed = await h.extractThread(USERS.lead.id, [
          [USERS.alice.id, 'We need to fix the flaky checkout test.'],
        ]);
        expect(failed.cards).toHaveLength(0);
        expect(JSON.stringify(h.slack.responses().slice(responsesBefore))).toMatch(told);
        expect(anthropic.pending()).toBe(0);

        anthropic.enqueue({ kind: 'tool_use', input: { tasks: [task] } });
        const ok = await h.extractThread(USERS.lead.id, [
          [USERS.alice.id, 'We need to fix the flaky checkout test.'],
        ]);
        expect(ok.cards).toHaveLength(1);
      },
    );
  });
});
