import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { taskBranchName } from '../../src/domain/github-link.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { octokitFor } from '../github-standin/client.js';
import { DATABASE_KINDS } from '../support/database.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';

const SECRET = 'test-webhook-secret';
const [OWNER, NAME] = REPO.split('/') as [string, string];

describe.each(DATABASE_KINDS)('GitHub events intake end to end (%s)', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ kind, env: { GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_POLL_CRON: 'off' } });
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    await h.database.truncate();
    h.github.webhooks.configure({ url: `${h.app.url}/github/webhooks`, secret: SECRET });
  });

  /** Extracts one task, approves and executes it: returns its card and the issue the bot created. */
  async function executedTask() {
    const { cards } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, 'Follow-ups from the outage'],
      [USERS.alice.id, 'We need to add rate limiting to the login endpoint.'],
    ]);
    const card = cards[0]!;
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
    const [task] = await h.database.db.select().from(schema.tasks).where(eq(schema.tasks.messageTs, card.ts));
    const [ticket] = await h.database.db.select().from(schema.steps).where(eq(schema.steps.agent, 'ticket'));
    const number = Number(ticket?.output?.number);
    expect(number).toBeGreaterThan(0);
    // The bot's own issue creation raised an `issues.opened` delivery; wait for it.
    await h.github.webhooks.flush();
    await h.app.idle();
    return { card, task: task!, number };
  }

  const maintainer = () => octokitFor(h.github, h.github.tokenFor('maya', REPO, 'write'));
  const settle = async () => {
    await h.github.webhooks.flush();
    await h.app.idle();
  };
  const eventRows = () => h.database.db.select().from(schema.githubEvents);

  it('an issue closed on GitHub shows on the card and in App Home; a redelivery and the poll act zero more times', async () => {
    const { card, task, number } = await executedTask();
    expect(textOf(h.slack.message(CHANNEL, card.ts))).not.toMatch(/Issue #\d+.*closed/);

    const before = h.github.webhooks.deliveries.length;
    await maintainer().issues.update({ owner: OWNER, repo: NAME, issue_number: number, state: 'closed' });
    await settle();
    const delivery = h.github.webhooks.deliveries
      .slice(before)
      .find((d) => d.event === 'issues' && d.action === 'closed');
    expect(delivery?.status).toBe(202);
    expect(textOf(h.slack.message(CHANNEL, card.ts))).toMatch(new RegExp(`Issue #${number}>? ✅ closed`));
    const [link] = await h.database.db
      .select()
      .from(schema.taskGithubLinks)
      .where(eq(schema.taskGithubLinks.taskId, task.id));
    expect(link).toMatchObject({ kind: 'issue', number, state: 'closed' });

    const rows = await eventRows();
    expect(rows.filter((r) => r.kind === 'issue.closed')).toHaveLength(1);
    expect(rows.find((r) => r.kind === 'issue.closed')).toMatchObject({
      source: 'webhook',
      deliveryId: delivery!.id,
    });
    expect(rows.every((r) => r.processedAt !== null)).toBe(true);

    // The same delivery again: accepted, and nothing acts again.
    const updates = h.slack.calls('chat.update').length;
    const again = await h.github.webhooks.redeliver(delivery!.id);
    expect(again.status).toBe(202);
    await settle();
    expect(await eventRows()).toHaveLength(rows.length);
    expect(h.slack.calls('chat.update').length).toBe(updates);

    // The poll finds the same closed issue later: zero more actions.
    expect(await h.app.githubEvents.poll()).toBe(0);
    await h.app.idle();
    expect(await eventRows()).toHaveLength(rows.length);
    expect(h.slack.calls('chat.update').length).toBe(updates);

    // App Home shows the issue's state to the requester.
    await h.sender.event({ type: 'app_home_opened', user: USERS.lead.id, channel: 'D0LEAD', tab: 'home' });
    await h.app.idle();
    expect(JSON.stringify(h.slack.homeView(USERS.lead.id))).toContain(`Issue #${number}`);
  });

  it('refuses a delivery with a bad signature (401) and acts on nothing', async () => {
    const { card, number } = await executedTask();
    h.github.webhooks.configure({ url: `${h.app.url}/github/webhooks`, secret: SECRET, signWith: 'wrong' });
    const before = h.github.webhooks.deliveries.length;
    await maintainer().issues.update({ owner: OWNER, repo: NAME, issue_number: number, state: 'closed' });
    await settle();
    const delivery = h.github.webhooks.deliveries
      .slice(before)
      .find((d) => d.event === 'issues' && d.action === 'closed');
    expect(delivery?.status).toBe(401);
    expect((await eventRows()).filter((r) => r.kind === 'issue.closed')).toHaveLength(0);
    expect(textOf(h.slack.message(CHANNEL, card.ts))).not.toContain('closed');

    // Without webhooks, the poll finds the change, and acts once.
    expect(await h.app.githubEvents.poll()).toBe(1);
    await h.app.idle();
    expect(textOf(h.slack.message(CHANNEL, card.ts))).toMatch(new RegExp(`Issue #${number}>? ✅ closed`));
    const [row] = (await eventRows()).filter((r) => r.kind === 'issue.closed');
    expect(row).toMatchObject({ source: 'poll', deliveryId: null });
    expect(await h.app.githubEvents.poll()).toBe(0);
  });

  it('refuses an oversized body (413) and an unsigned one (401) before reading it as JSON', async () => {
    const url = `${h.app.url}/github/webhooks`;
    const headers = { 'content-type': 'application/json', 'x-github-event': 'issues' };
    const big = await fetch(url, { method: 'POST', headers, body: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    const unsigned = await fetch(url, { method: 'POST', headers, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(await eventRows()).toHaveLength(0);
  });

  it('a pull request on the task branch shows as draft, then merged; the merge closes the issue', async () => {
    const { card, task, number } = await executedTask();
    const branch = taskBranchName(task.id, task.title);
    if (!h.github.sha(REPO, 'main'))
      h.github.commitFiles(REPO, { 'README.md': '# web\n' }, { branch: 'main' });
    h.github.commitFiles(REPO, { 'src/limit.ts': 'export const LIMIT = 5;\n' }, { branch, message: 'limit' });
    const gh = maintainer();
    const { data: pr } = await gh.pulls.create({
      owner: OWNER,
      repo: NAME,
      head: branch,
      base: 'main',
      title: 'Rate limit',
      body: `Closes #${number}`,
      draft: true,
    });
    await settle();
    expect(textOf(h.slack.message(CHANNEL, card.ts))).toMatch(new RegExp(`PR #${pr.number}>? 📝 draft`));

    h.github.setPull(REPO, pr.number, { draft: false, mergeable: true });
    await gh.pulls.merge({ owner: OWNER, repo: NAME, pull_number: pr.number });
    await settle();
    const shown = textOf(h.slack.message(CHANNEL, card.ts));
    expect(shown).toMatch(new RegExp(`PR #${pr.number}>? 🟣 merged`));
    expect(shown).toMatch(new RegExp(`Issue #${number}>? ✅ closed`));
    expect(await h.app.githubEvents.poll()).toBe(0);
  });
});

describe('GitHub webhooks without a secret', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GITHUB_POLL_CRON: 'off' } });
  });
  afterAll(async () => h.close());

  it('refuses every delivery (fail closed)', async () => {
    h.github.webhooks.configure({ url: `${h.app.url}/github/webhooks`, secret: 'anything' });
    const delivery = await h.github.webhooks.deliver('issues', { action: 'closed' });
    expect(delivery.status).toBe(503);
    expect(delivery.response).toMatch(/GITHUB_WEBHOOK_SECRET/);
    expect(await h.database.db.select().from(schema.githubEvents)).toHaveLength(0);
  });
});
