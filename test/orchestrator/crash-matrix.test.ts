import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackRequestSender } from '../../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { AGENT_BOUNDARIES, FAULT_EXIT_CODE, type FaultPoint } from '../../src/testing/fault-points.js';
import { botBundle } from '../support/bot-bundle.js';
import { type ChildBot, standInEnv, startChildBot } from '../support/child-bot.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { CHANNEL, freePort, REPO, SIGNING_SECRET, USERS } from '../support/harness.js';
import { type SmtpStandIn, startSmtpStandIn } from '../support/smtp-standin.js';

/**
 * The crash matrix (issue 14): for every effect boundary of every agent, and the runner's own
 * points, a real bot process dies right there (exit 86, no clean-up), a fresh one starts, and the
 * run must end with each effect made once and a card that shows it. The matrix is data: an agent
 * that makes a new effect adds a row to EFFECTS (its name, how to count its effect) and gets
 * every boundary tested.
 */

interface World {
  github: GitHubStandIn;
  smtp: SmtpStandIn;
}

interface EffectRow {
  agent: 'ticket' | 'email';
  /** How many times the effect reached the outside world. */
  deliveries(world: World): number;
  /** Distinct effects (one issue; one Message-ID): must always be exactly one. */
  distinct(world: World): number;
  /**
   * Deliveries expected when the process dies after the effect but before the ledger records
   * it. 1 = exactly once; 2 = at-least-once with a stable dedupe key (documented in the README).
   */
  afterEffectDeliveries: 1 | 2;
}

const EFFECTS: EffectRow[] = [
  {
    agent: 'ticket',
    deliveries: ({ github }) =>
      github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues')).length,
    distinct: ({ github }) => github.issues(REPO).length,
    // The issue carries a marker; the restarted step finds it on GitHub instead of creating again.
    afterEffectDeliveries: 1,
  },
  {
    agent: 'email',
    deliveries: ({ smtp }) => smtp.messages.length,
    distinct: ({ smtp }) => new Set(smtp.messages.map((m) => m.parsed.messageId)).size,
    // Plain SMTP cannot be asked "did you get this?": the email is sent again with the same
    // Message-ID, which mail clients and servers use to drop the duplicate.
    afterEffectDeliveries: 2,
  },
];

interface Case {
  point: FaultPoint;
  /** Deliveries expected per agent after the restart. */
  expected: Record<EffectRow['agent'], number>;
}

const CASES: Case[] = [
  ...EFFECTS.flatMap((row) =>
    AGENT_BOUNDARIES.map(
      (boundary): Case => ({
        point: `${row.agent}:${boundary}` as FaultPoint,
        expected: {
          ticket: 1,
          email: 1,
          [row.agent]: boundary === 'after-effect' ? row.afterEffectDeliveries : 1,
        },
      }),
    ),
  ),
  { point: 'runner:after-claim', expected: { ticket: 1, email: 1 } },
  { point: 'runner:after-success', expected: { ticket: 1, email: 1 } },
];

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(DATABASE_KINDS)('crash matrix (%s)', (kind) => {
  let script: string;
  const cleanup: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    script = await botBundle();
  });
  afterEach(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
    cleanup.length = 0;
  });

  it.each(CASES)(
    'dies at $point, restarts, and ends with each effect once',
    { timeout: 120_000 },
    async ({ point, expected }) => {
      const slack = await SlackWebApiStandIn.start();
      for (const user of Object.values(USERS)) slack.addUser(user);
      slack.addChannel({ id: CHANNEL, name: 'eng' });
      const github = await startGitHubStandIn({ repos: [REPO] });
      const smtp = await startSmtpStandIn();
      const world: World = { github, smtp };
      const dataDir = mkdtempSync(join(tmpdir(), 'orch-matrix-'));
      cleanup.push(
        () => slack.close(),
        () => github.close(),
        () => smtp.close(),
        async () => rmSync(dataDir, { recursive: true, force: true }),
      );
      let database: TestDatabase | undefined;
      if (kind === 'postgres') {
        database = await openTestDatabase('postgres');
        cleanup.push(() => database!.close());
      }
      const port = await freePort();
      const env = {
        ...standInEnv({
          slack,
          github,
          smtpPort: smtp.port,
          signingSecret: SIGNING_SECRET,
          repo: REPO,
          dataDir,
          databaseUrl: database?.url,
        }),
        SLACK_APPROVERS: USERS.lead.id,
        APPROVAL_PREVENT_SELF: 'false',
        RUNNER_LEASE_SECONDS: '2',
      };

      let bot: ChildBot = await startChildBot({ ...env, TEST_FAULT_POINTS: point }, port, 60_000, script);
      cleanup.push(() => bot.kill('SIGKILL'));
      const sender = new SlackRequestSender({
        appUrl: `${bot.url}/slack/events`,
        signingSecret: SIGNING_SECRET,
        standIn: slack,
      });
      const parent = slack.postMessage({
        channel: CHANNEL,
        user: USERS.alice.id,
        text: 'We need to rotate the database credentials before the audit.',
      });
      await sender.slashCommand({
        user: USERS.lead.id,
        channel: CHANNEL,
        text: slack.permalink(CHANNEL, parent.ts),
      });
      await until('the task card', () => slack.thread(CHANNEL, parent.ts).filter((m) => m.botId).length >= 2);
      const card = slack.thread(CHANNEL, parent.ts).filter((m) => m.botId)[1]!;
      await sender.blockAction({
        user: USERS.lead.id,
        channel: CHANNEL,
        messageTs: card.ts,
        actionId: ACTIONS.approve,
      });
      await until('the approved card', () =>
        JSON.stringify(slack.message(CHANNEL, card.ts)?.blocks).includes(ACTIONS.execute),
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\nbot output:\n${bot.output().slice(-3000)}`);
      });
      await sender.blockAction({
        user: USERS.lead.id,
        channel: CHANNEL,
        messageTs: card.ts,
        actionId: ACTIONS.execute,
      });

      // The armed point ends the process by itself.
      expect(await bot.exited, bot.output()).toBe(FAULT_EXIT_CODE);
      expect(bot.output()).toContain(`fault point ${point} hit`);

      bot = await startChildBot(env, port, 60_000, script);
      const cardText = () => JSON.stringify(slack.message(CHANNEL, card.ts)?.blocks ?? []);
      await until('the card to show the finished run', () => cardText().includes('*Done*'), 60_000);
      // The run is over and nothing is in flight: stopping cleanly proves no step is still running.
      expect(await bot.kill('SIGTERM')).toBe(0);

      const issues = github.issues(REPO);
      expect(issues).toHaveLength(1);
      expect(cardText()).toContain(issues[0]!.html_url);
      for (const row of EFFECTS) {
        expect(row.distinct(world), `${row.agent}: distinct effects`).toBe(1);
        expect(row.deliveries(world), `${row.agent}: deliveries`).toBe(expected[row.agent]);
      }
      if (database) {
        const runs = await database.db.query.runs.findMany();
        expect(runs.map((r) => r.status)).toEqual(['succeeded']);
        const steps = await database.db.query.steps.findMany();
        expect(steps.length).toBeGreaterThanOrEqual(2);
        expect(steps.filter((s) => s.status !== 'succeeded')).toEqual([]);
      }
    },
  );
});
