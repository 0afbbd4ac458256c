import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { issueMarker } from '../../src/agents/ticket.js';
import { ACTIONS } from '../../src/slack/ids.js';
import type { FailOptions } from '../support/github-standin.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';
import { failOnUnhandledErrors } from '../support/process-watch.js';
import type { Stall } from '../support/stall.js';

/**
 * Every GitHub endpoint the ticket agent calls, answering every way GitHub (or a proxy in front
 * of it) can fail: the bot stays up, the card tells what happened, and the next Execute (Retry)
 * works and still makes one issue. Real Octokit, signed Slack requests, short deadlines.
 */

const POST_ISSUE = 'POST /repos/:owner/:repo/issues';
const LIST_ISSUES = 'GET /repos/:owner/:repo/issues';
const SEARCH = 'GET /search/issues';
const USER = 'GET /user';

type Fault = { kind: 'status'; status: number; options?: FailOptions } | { kind: 'stall'; stall: Stall };

const FAULTS: Array<{ name: string; fault: Fault; shows: RegExp; permanent: boolean }> = [
  {
    name: '401',
    fault: { kind: 'status', status: 401 },
    shows: /GitHub refused the bot's credentials \(401\)/,
    permanent: true,
  },
  {
    name: '403',
    fault: { kind: 'status', status: 403 },
    shows: /GitHub refused access.* \(403\): the token lacks permission/,
    permanent: true,
  },
  { name: '500', fault: { kind: 'status', status: 500 }, shows: /GitHub answered 500/, permanent: false },
  {
    name: '429',
    fault: { kind: 'status', status: 429, options: { retryAfter: 0 } },
    shows: /GitHub rate limit exceeded \(429\)/,
    permanent: false,
  },
  {
    name: 'hang',
    fault: { kind: 'stall', stall: { mode: 'hang' } },
    shows: /GitHub did not answer within 1 s/,
    permanent: false,
  },
  {
    name: 'slow trickle',
    fault: { kind: 'stall', stall: { mode: 'trickle', intervalMs: 100 } },
    shows: /GitHub did not answer within 1 s/,
    permanent: false,
  },
];

/** A fresh bot per fault: the ticket agent caches its login once GET /user has answered. */
function useHarness(): () => Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness({
      // One Octokit retry (not three) keeps a hung GitHub at 2 × 2 deadlines per run.
      env: { EXTRACT_RATE_PER_USER: '0', HTTP_TIMEOUT_SECONDS: '1', RUNNER_MAX_ATTEMPTS: '2' },
      start: { githubRetries: 1 },
    });
  });
  afterAll(async () => h?.close());
  afterEach(() => h?.github.clearFaults());
  return () => {
    if (!h) throw new Error('harness not started');
    return h;
  };
}

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

function inject(h: Harness, route: string, fault: Fault): void {
  // Enough to outlast Octokit's own retries and both of the runner's attempts.
  if (fault.kind === 'status') h.github.failNext(route, fault.status, { times: 50, ...fault.options });
  else h.github.stallNext(route, fault.stall, 50);
}

const issuesOf = (h: Harness, taskId: string) =>
  h.github.issues(REPO).filter((issue) => (issue.body ?? '').includes(issueMarker(taskId)));

async function expectFailedThenRetryWorks(h: Harness, card: { ts: string; taskId: string }, shows: RegExp) {
  expect((await h.app.store.latestRun(card.taskId))?.run.status).toBe('failed');
  const shown = textOf(h.slack.message(CHANNEL, card.ts));
  expect(shown).toMatch(shows);
  expect(shown).toContain(ACTIONS.retry);

  h.github.clearFaults();
  await h.click(USERS.lead.id, card.ts, ACTIONS.retry);
  await expectDone(h, card);
}

async function expectDone(h: Harness, card: { ts: string; taskId: string }) {
  expect((await h.app.store.getTask(card.taskId))?.status).toBe('done');
  const issues = issuesOf(h, card.taskId);
  expect(issues).toHaveLength(1);
  expect(textOf(h.slack.message(CHANNEL, card.ts))).toContain(issues[0]!.html_url);
}

describe('GitHub failing on every endpoint the bot calls', () => {
  failOnUnhandledErrors();

  describe('GET /user refused on a first attempt, which does not need it', () => {
    const harness = useHarness();
    it('no crash, and the issue is made', async () => {
      const h = harness();
      const card = await approvedCard(h, 'We need to add a health check to the billing worker.');
      h.github.failNext(USER, 401, { times: 50 });
      await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
      await expectDone(h, card);
    });
  });

  describe.each(FAULTS)('$name', ({ fault, shows, permanent }) => {
    const harness = useHarness();

    // Only a step that may already have made its issue looks for it (GET /user, listing,
    // search): a first attempt fails after it began, and the second meets the fault.
    // GET /user first: its answer is cached once it succeeds.
    it.each([USER, LIST_ISSUES, SEARCH])('on %s', async (route) => {
      const h = harness();
      const card = await approvedCard(h, `We need to document the ${route} runbook for on-call.`);
      h.github.failNext(POST_ISSUE, 502);
      inject(h, route, fault);
      await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
      expect(h.github.requests.some((r) => r.route === route)).toBe(true);
      if (route === USER && fault.kind === 'status' && fault.status === 403) {
        // A token that may not read /user (a GitHub App's) lists issues of every creator instead.
        await expectDone(h, card);
        return;
      }
      await expectFailedThenRetryWorks(h, card, shows);
    });

    it(`on ${POST_ISSUE}`, async () => {
      const h = harness();
      const card = await approvedCard(h, 'We need to fix the rounding bug in the invoice export.');
      inject(h, POST_ISSUE, fault);
      await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
      const ticket = (await h.app.store.latestRun(card.taskId))?.steps.find((s) => s.agent === 'ticket');
      if (fault.kind === 'stall' && fault.stall.mode === 'trickle') {
        // The issue was made before the answer trickled: the second attempt finds it, no duplicate.
        expect(ticket).toMatchObject({ status: 'succeeded', attempt: 2 });
        await expectDone(h, card);
        return;
      }
      // Permanent failures stop at once; transient ones use up the attempts.
      expect(ticket).toMatchObject({ status: 'failed', attempt: permanent ? 1 : 2 });
      await expectFailedThenRetryWorks(h, card, shows);
    });
  });
});
