import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackRequestSender } from '../../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { type ChildBot, standInEnv, startChildBot } from '../support/child-bot.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { CHANNEL, freePort, REPO, SIGNING_SECRET, USERS } from '../support/harness.js';
import { type SmtpStandIn, startSmtpStandIn } from '../support/smtp-standin.js';

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

describe.each(DATABASE_KINDS)('a bot killed in the middle of a step (%s)', (kind) => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
    cleanup.length = 0;
  });

  it('finishes the run after a restart with one issue and one email', async () => {
    const slack = await SlackWebApiStandIn.start();
    for (const user of Object.values(USERS)) slack.addUser(user);
    slack.addChannel({ id: CHANNEL, name: 'eng' });
    const github: GitHubStandIn = await startGitHubStandIn({ repos: [REPO] });
    const smtp: SmtpStandIn = await startSmtpStandIn();
    const dataDir = mkdtempSync(join(tmpdir(), 'orch-crash-'));
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

    let bot: ChildBot = await startChildBot(env, port);
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
    );

    // GitHub creates the issue but answers only much later: the bot dies before it hears back.
    github.holdResponseMs = 60_000;
    await sender.blockAction({
      user: USERS.lead.id,
      channel: CHANNEL,
      messageTs: card.ts,
      actionId: ACTIONS.execute,
    });
    await until('the issue to exist', () => github.issues(REPO).length === 1);
    expect(await bot.kill('SIGKILL')).toBe('SIGKILL');
    expect(smtp.messages).toHaveLength(0);

    github.holdResponseMs = 0;
    bot = await startChildBot(env, port);
    await until('the email', () => smtp.messages.length >= 1, 30_000);
    await until('the card to show the issue link', () =>
      JSON.stringify(slack.message(CHANNEL, card.ts)?.blocks ?? []).includes(
        github.issues(REPO)[0]!.html_url,
      ),
    );
    // Give a duplicate (if there were one) the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(github.issues(REPO)).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues'))).toHaveLength(1);
    if (database) {
      const rows = await database.db.query.runs.findMany();
      expect(rows.map((r) => r.status)).toEqual(['succeeded']);
    }
    expect(await bot.kill('SIGTERM')).toBe(0);
  }, 120_000); // two child bots start in turn; slow on a loaded 2-core machine
});
