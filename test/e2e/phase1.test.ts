import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { plainText } from '../../src/sandbox/slack-requests.js';
import { ACTIONS, EDIT_FIELDS } from '../../src/slack/ids.js';
import { DATABASE_KINDS } from '../support/database.js';
import {
  actionIds,
  CHANNEL,
  type Harness,
  REPO,
  SAMPLE_THREAD,
  startHarness,
  textOf,
  USERS,
} from '../support/harness.js';
import { versionOf } from '../support/permissions.js';

describe.each(DATABASE_KINDS)('Phase 1 end to end through /slack/events (%s)', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ kind });
  });
  afterAll(async () => h.close());
  let issuesBefore = 0;
  let mailsBefore = 0;
  beforeEach(async () => {
    await h.database.truncate();
    issuesBefore = h.github.issues(REPO).length;
    mailsBefore = h.smtp.messages.length;
  });
  const newIssues = () => h.github.issues(REPO).slice(issuesBefore);
  const newMails = () => h.smtp.messages.slice(mailsBefore);

  async function extractSample(): Promise<{ threadTs: string; cards: ReturnType<Harness['botMessages']> }> {
    const before = h.slack.responses().length;
    const { threadTs, ack, cards } = await h.extractThread(USERS.lead.id, SAMPLE_THREAD);
    expect(ack.status).toBe(200);
    // The ack is empty: access and rate checks come first, then the "working on it" note.
    expect(JSON.stringify(h.slack.responses().slice(before))).toMatch(/extracting tasks/i);
    return { threadTs, cards };
  }

  it('extracts a thread into a summary and one card per task, without re-broadcasting mentions', async () => {
    const { threadTs, cards } = await extractSample();
    const [summary] = h.botMessages(threadTs);
    expect(summary?.text).toMatch(/\d+ tasks? from 7 messages/);
    expect(cards.length).toBeGreaterThanOrEqual(2);
    for (const card of cards) {
      const text = textOf(card);
      expect(text).toMatch(/Extracted by rules/i);
      expect(text).not.toContain('<!channel>');
      expect(actionIds(card)).toEqual(
        expect.arrayContaining([ACTIONS.edit, ACTIONS.approve, ACTIONS.reject]),
      );
      expect(text).toContain(REPO);
    }
    expect(cards.map((c) => c.text).join('\n')).toMatch(/rate limit/i);
    // "<@Bob> will fix the alert threshold": Bob is suggested by name, not pinged before approval.
    const alertCard = cards.find((c) => /alert threshold/i.test(c.text));
    expect(textOf(alertCard)).toMatch(/Bob Ops.*suggested|bob.*suggested/i);
    expect(textOf(alertCard)).not.toContain(`<@${USERS.bob.id}>`);
    const stored = await h.database.db.select().from(schema.tasks);
    expect(stored).toHaveLength(cards.length);
    expect(stored.every((t) => t.messageTs)).toBe(true);
  });

  it('names a suggested assignee on the card without pinging them', async () => {
    const {
      cards: [card],
    } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, 'Who can take the migration guide?'],
      [USERS.alice.id, "I'll write the migration guide for v2 by Friday."],
    ]);
    const [task] = await h.database.db.select().from(schema.tasks);
    expect(task?.assignee).toBe(USERS.alice.id);
    expect(textOf(card)).toContain('Alice Dev');
    expect(textOf(card)).not.toContain(`<@${USERS.alice.id}>`);
    expect(textOf(card)).not.toContain(USERS.alice.id);
  });

  it('answers /extract with no text with an ephemeral help, and a broken link with advice', async () => {
    const help = await h.sender.slashCommand({ user: USERS.alice.id, channel: CHANNEL, text: '' });
    expect(help.json).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(help.json)).toContain('/extract');
    const broken = await h.sender.slashCommand({
      user: USERS.alice.id,
      channel: CHANNEL,
      text: 'https://sandbox.slack.com/archives/C0ENG/p12',
    });
    expect(JSON.stringify(broken.json)).toMatch(/does not look like a Slack message link/);
    expect(await h.database.db.select().from(schema.discussions)).toHaveLength(0);
  });

  it('explains how to invite the bot when it cannot read the channel', async () => {
    h.slack.addChannel({ id: 'C0SECRET', name: 'secret', botIsMember: false });
    const parent = h.slack.postMessage({
      channel: 'C0SECRET',
      user: USERS.alice.id,
      text: 'we need to fix it',
    });
    await h.sender.slashCommand({
      user: USERS.alice.id,
      channel: CHANNEL,
      text: h.slack.permalink('C0SECRET', parent.ts),
    });
    await h.app.idle();
    const told = h.slack.ephemerals().filter((e) => e.user === USERS.alice.id);
    expect(told.map((e) => e.text).join('\n')).toMatch(/invite/i);
    expect(await h.database.db.select().from(schema.discussions)).toHaveLength(0);
  });

  it('extracts from free text, from the message shortcut and from a mention in a thread', async () => {
    await h.sender.slashCommand({
      user: USERS.alice.id,
      channel: CHANNEL,
      text: 'We need to migrate the billing cron to the new scheduler.',
    });
    await h.app.idle();
    const top = h.slack.messages(CHANNEL).filter((m) => m.botId && !m.threadTs);
    expect(top.at(-1)?.text).toMatch(/1 task from the text/);

    const threadTs = h.postThread([
      [USERS.alice.id, 'Search is slow'],
      [USERS.bob.id, 'TODO: add an index on documents.created_at'],
    ]);
    await h.sender.messageShortcut({
      user: USERS.bob.id,
      channel: CHANNEL,
      messageTs: threadTs,
      callbackId: 'extract_tasks',
    });
    await h.app.idle();
    expect(
      h
        .botMessages(threadTs)
        .map((m) => m.text)
        .join('\n'),
    ).toMatch(/index on documents/);

    const mentionThread = h.postThread([
      [USERS.alice.id, 'Docs are outdated'],
      [USERS.alice.id, 'please update the API docs for v2'],
    ]);
    const reply = h.slack.postMessage({
      channel: CHANNEL,
      user: USERS.bob.id,
      text: `<@${h.slack.botUserId}> extract`,
      threadTs: mentionThread,
    });
    const res = await h.sender.event({
      type: 'app_mention',
      user: USERS.bob.id,
      text: reply.text,
      channel: CHANNEL,
      ts: reply.ts,
      thread_ts: mentionThread,
    });
    expect(res.status).toBe(200);
    await h.app.idle();
    expect(
      h
        .botMessages(mentionThread)
        .map((m) => m.text)
        .join('\n'),
    ).toMatch(/API docs/i);
  });

  it('edits in a modal (with a validation error), approves, executes: issue, then email, card shows the link', async () => {
    const { cards } = await extractSample();
    const card = cards[0]!;
    const [task] = await h.database.db.select().from(schema.tasks).where(eq(schema.tasks.messageTs, card.ts));
    expect(task).toBeDefined();

    // Edit: open the modal (trigger_id used within 3 s), submit an empty title → field error.
    await h.click(USERS.alice.id, card.ts, ACTIONS.edit);
    const modal = h.slack.openedViews().find((v) => v.userId === USERS.alice.id);
    expect(modal).toBeDefined();
    const bad = await h.sender.viewSubmission({
      user: USERS.alice.id,
      viewId: modal!.id,
      values: { [EDIT_FIELDS.title]: { [EDIT_FIELDS.title]: plainText('') } },
    });
    expect(bad.json).toMatchObject({
      response_action: 'errors',
      errors: { [EDIT_FIELDS.title]: expect.any(String) },
    });
    const good = await h.sender.viewSubmission({
      user: USERS.alice.id,
      viewId: modal!.id,
      values: { [EDIT_FIELDS.title]: { [EDIT_FIELDS.title]: plainText('Rate-limit the login endpoint') } },
    });
    expect(good.status).toBe(200);
    expect(good.body).toBe('');
    await h.app.idle();
    expect(h.slack.message(CHANNEL, card.ts)?.text).toContain('Rate-limit the login endpoint');

    // Approve: refused for a non-approver, accepted for the lead.
    await h.click(USERS.bob.id, card.ts, ACTIONS.approve);
    expect(h.slack.ephemerals().some((e) => e.user === USERS.bob.id && /Only approvers/.test(e.text))).toBe(
      true,
    );
    expect((await h.app.store.getTask(task!.id))?.status).toBe('proposed');
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    const approvedCard = h.slack.message(CHANNEL, card.ts);
    expect(textOf(approvedCard)).toContain(`<@${USERS.lead.id}>`);
    expect(actionIds(approvedCard)).toContain(ACTIONS.execute);

    // Execute: one issue in the configured repo, one email, card updated in place.
    const updatesBefore = h.slack.calls('chat.update').length;
    await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
    const issues = newIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe('Rate-limit the login endpoint');
    expect(issues[0]!.body).toContain(`ai-orchestrator:task=${task!.id}`);
    expect(newMails()).toHaveLength(1);
    expect(newMails()[0]!.parsed.subject).toContain('Rate-limit the login endpoint');
    expect(newMails()[0]!.envelope.to).toEqual(['team@acme.test']);
    const done = h.slack.message(CHANNEL, card.ts);
    expect(textOf(done)).toContain(issues[0]!.html_url);
    expect((await h.app.store.getTask(task!.id))?.status).toBe('done');
    // Card updates are coalesced (at most one per card per second, latest state wins): a run this
    // fast may show only its final state, so at least one update, not one per step.
    expect(h.slack.calls('chat.update').length).toBeGreaterThan(updatesBefore);

    // The finished card offers no Execute; a stale client's click is refused by the store, nothing repeats.
    expect(actionIds(done)).not.toContain(ACTIONS.execute);
    await expect(
      h.app.store.startRun(task!.id, USERS.lead.id, await versionOf(h.app.store, task!.id)),
    ).rejects.toMatchObject({
      code: 'invalid_state',
    });
    await h.app.idle();
    expect(newIssues()).toHaveLength(1);
    expect(newMails()).toHaveLength(1);

    // App Home lists the run.
    await h.sender.event({ type: 'app_home_opened', user: USERS.lead.id, channel: 'D0LEAD', tab: 'home' });
    await h.app.idle();
    expect(JSON.stringify(h.slack.homeView(USERS.lead.id))).toContain('Rate-limit the login endpoint');
  });

  it('shows a failed step with its reason and a Retry that sends neither a second issue nor a second email', async () => {
    const { cards } = await extractSample();
    const card = cards[0]!;
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    h.smtp.failNext(550, 1);
    const postsBefore = h.github.requests.filter((r) => r.method === 'POST').length;
    await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
    const failed = h.slack.message(CHANNEL, card.ts);
    expect(textOf(failed)).toMatch(/550/);
    expect(actionIds(failed)).toContain(ACTIONS.retry);
    expect(newIssues()).toHaveLength(1);
    expect(newMails()).toHaveLength(0);

    await h.click(USERS.lead.id, card.ts, ACTIONS.retry);
    expect(newIssues()).toHaveLength(1);
    expect(newMails()).toHaveLength(1);
    expect(h.github.requests.filter((r) => r.method === 'POST').length).toBe(postsBefore + 1);
    const [run] = await h.database.db.select().from(schema.runs);
    expect(run?.status).toBe('succeeded');
  });

  it('refuses a stale edit from the modal, keeps the newer data, and lets an approver reject', async () => {
    const { cards } = await extractSample();
    const card = cards[0]!;
    const [task] = await h.database.db.select().from(schema.tasks).where(eq(schema.tasks.messageTs, card.ts));
    await h.click(USERS.alice.id, card.ts, ACTIONS.edit);
    const modal = h.slack.openedViews().find((v) => v.userId === USERS.alice.id);
    // Meanwhile the lead approves: the modal Alice has open is now out of date.
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    const stale = await h.sender.viewSubmission({
      user: USERS.alice.id,
      viewId: modal!.id,
      values: { [EDIT_FIELDS.title]: { [EDIT_FIELDS.title]: plainText('Overwritten title') } },
    });
    expect(stale.json).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(stale.json)).toMatch(/changed this task/);
    const kept = await h.app.store.getTask(task!.id);
    expect(kept).toMatchObject({ status: 'approved', title: task!.title });

    await h.click(USERS.lead.id, card.ts, ACTIONS.reject);
    expect((await h.app.store.getTask(task!.id))?.status).toBe('rejected');
    const shown = h.slack.message(CHANNEL, card.ts);
    expect(textOf(shown)).toMatch(/Rejected/i);
    expect(actionIds(shown)).not.toContain(ACTIONS.execute);
  });

  it('starts one run for 20 simultaneous Execute clicks', async () => {
    const { cards } = await extractSample();
    const card = cards[0]!;
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        h.sender.blockAction({
          user: USERS.lead.id,
          channel: CHANNEL,
          messageTs: card.ts,
          actionId: ACTIONS.execute,
        }),
      ),
    );
    await h.app.idle();
    expect(await h.database.db.select().from(schema.runs)).toHaveLength(1);
    expect(newIssues()).toHaveLength(1);
    expect(newMails()).toHaveLength(1);
  });

  it('rejects unsigned and malformed requests without side effects', async () => {
    const postsBefore = h.slack.calls('chat.postMessage').length;
    const unsigned = await h.sender.raw('command=%2Fextract&text=hello&user_id=U0ALICE&channel_id=C0ENG', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(unsigned.status).toBe(401);
    const badSig = await h.sender.raw('command=%2Fextract&text=hello', {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
      'x-slack-signature': 'v0=deadbeef',
    });
    expect(badSig.status).toBe(401);
    await h.app.idle();
    expect(await h.database.db.select().from(schema.discussions)).toHaveLength(0);
    expect(h.slack.calls('chat.postMessage')).toHaveLength(postsBefore);
  });
});

describe('Phase 1 without GitHub token or SMTP (embedded defaults)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ github: false, smtp: false, approvers: [] });
  });
  afterAll(async () => h.close());

  it('lets a workspace admin approve (no approvers named), records a dry-run issue and writes the email to the outbox', async () => {
    const { cards } = await h.extractThread(USERS.alice.id, [
      [USERS.alice.id, 'We need to add a health check endpoint to the worker.'],
    ]);
    const card = cards[0]!;
    await h.click(USERS.bob.id, card.ts, ACTIONS.approve);
    expect(h.slack.ephemerals().at(-1)?.text).toMatch(/admins and owners.*SLACK_APPROVERS/);
    await h.click(USERS.admin.id, card.ts, ACTIONS.approve);
    await h.click(USERS.admin.id, card.ts, ACTIONS.execute);
    const text = textOf(h.slack.message(CHANNEL, card.ts));
    expect(text).toMatch(/dry run/i);
    expect(text).toMatch(/health check endpoint/);
    expect(h.github.requests).toHaveLength(0);
    const outbox = readdirSync(join(h.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(outbox).toHaveLength(1);
  });
});
