import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { plainText } from '../../src/sandbox/slack-requests.js';
import { ACTIONS, EDIT_FIELDS } from '../../src/slack/ids.js';
import { DATABASE_KINDS } from '../support/database.js';
import { actionIds, CHANNEL, type Harness, startHarness, textOf, USERS } from '../support/harness.js';

/**
 * Issue 7, items 3 and 4, through signed Slack requests: a click acts only on the version of the
 * task its card showed; approval fails closed (admins only when nobody is named); and with
 * APPROVAL_PREVENT_SELF nobody approves what they asked for or changed last.
 */
const THREAD: Array<[string, string]> = [
  [USERS.lead.id, 'Follow-ups from the incident review.'],
  [USERS.alice.id, 'We need to add rate limiting to the login endpoint, 5 attempts per minute per IP.'],
];

async function firstCard(h: Harness, requester: string = USERS.lead.id) {
  const { cards } = await h.extractThread(requester, THREAD);
  const card = cards[0]!;
  const [task] = await h.database.db.select().from(schema.tasks).where(eq(schema.tasks.messageTs, card.ts));
  return { card, task: task! };
}

/** Alice edits the title through the modal, as a person would. */
async function editTitle(h: Harness, user: string, cardTs: string, title: string): Promise<void> {
  const before = h.slack.openedViews().length;
  await h.click(user, cardTs, ACTIONS.edit);
  const modal = h.slack
    .openedViews()
    .slice(before)
    .find((v) => v.userId === user);
  expect(modal).toBeDefined();
  const sent = await h.sender.viewSubmission({
    user,
    viewId: modal!.id,
    values: { [EDIT_FIELDS.title]: { [EDIT_FIELDS.title]: plainText(title) } },
  });
  expect(sent.status).toBe(200);
  await h.app.idle();
}

describe.each(DATABASE_KINDS)('approval is bound to what the approver saw (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind });
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.database.truncate());

  const clickWithValue = async (user: string, ts: string, actionId: string, value: string) => {
    await h.sender.blockAction({ user, channel: CHANNEL, messageTs: ts, actionId, value });
    await h.app.idle();
  };

  it('carries the version in every task button', async () => {
    const { card, task } = await firstCard(h);
    const values = [...JSON.stringify(card.blocks).matchAll(/"value":"([^"]+)"/g)].map((m) => m[1]);
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(v).toBe(`${task.id}:${task.version}`);
  });

  it('refuses an Approve from a card older than an edit, shows the current card, and approves nothing', async () => {
    const { card, task } = await firstCard(h);
    const seen = `${task.id}:${task.version}`;
    await editTitle(h, USERS.alice.id, card.ts, 'Rate-limit login: 3 attempts per minute');

    // The lead's client still shows the old card: the click carries version 1.
    await clickWithValue(USERS.lead.id, card.ts, ACTIONS.approve, seen);
    const stored = await h.app.store.getTask(task.id);
    expect(stored).toMatchObject({ status: 'proposed', approvedBy: null, version: task.version + 1 });
    const told = h.slack.ephemerals().filter((e) => e.user === USERS.lead.id);
    expect(told.at(-1)?.text).toMatch(/changed since you looked/);
    // The answer shows the current content, without buttons (the real card has them).
    expect(JSON.stringify(told.at(-1)?.blocks)).toContain('3 attempts per minute');
    expect(JSON.stringify(told.at(-1)?.blocks)).not.toContain('"actions"');
    expect(h.slack.message(CHANNEL, card.ts)?.text).toContain('3 attempts per minute');
    const audit = await h.database.db.select().from(schema.auditEvents);
    expect(audit.some((a) => a.action === 'approve')).toBe(false);

    // A click on the redrawn card approves, and the audit names the version approved.
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    expect((await h.app.store.getTask(task.id))?.status).toBe('approved');
    const approve = (await h.database.db.select().from(schema.auditEvents)).find(
      (a) => a.action === 'approve',
    );
    expect(approve?.detail).toMatchObject({ version: task.version + 1 });
  });

  it('refuses an Execute from a card older than the approval it shows, and a bare id from a pre-version card', async () => {
    const { card, task } = await firstCard(h);
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    const approved = await h.app.store.requireTask(task.id);
    // An approver edits the approved task (back to proposed), then approves it again: v+2.
    await editTitle(h, USERS.lead.id, card.ts, 'Changed after approval');
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    await clickWithValue(USERS.lead.id, card.ts, ACTIONS.execute, `${task.id}:${approved.version}`);
    await clickWithValue(USERS.lead.id, card.ts, ACTIONS.execute, task.id);
    expect(await h.database.db.select().from(schema.runs)).toHaveLength(0);
    const told = h.slack.ephemerals().filter((e) => e.user === USERS.lead.id);
    expect(told.slice(-2).every((e) => /changed since you looked/.test(e.text))).toBe(true);
  });

  it("refuses a non-approver's edit of an approved task instead of silently withdrawing the approval", async () => {
    const { card, task } = await firstCard(h);
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    const views = h.slack.openedViews().length;
    await h.click(USERS.bob.id, card.ts, ACTIONS.edit);
    expect(h.slack.openedViews()).toHaveLength(views);
    expect(
      h.slack
        .ephemerals()
        .filter((e) => e.user === USERS.bob.id)
        .at(-1)?.text,
    ).toMatch(/approved, so only an approver can change it/);
    expect(await h.app.store.getTask(task.id)).toMatchObject({
      status: 'approved',
      approvedBy: USERS.lead.id,
    });
    expect(actionIds(h.slack.message(CHANNEL, card.ts))).toContain(ACTIONS.execute);
  });
});

describe.each(DATABASE_KINDS)('approval fails closed (%s)', (kind) => {
  describe('no approvers named', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ kind, approvers: [] });
    });
    afterAll(async () => h.close());

    it('lets only workspace admins and owners approve and execute, and says how to name approvers', async () => {
      const { card, task } = await firstCard(h, USERS.alice.id);
      await h.click(USERS.bob.id, card.ts, ACTIONS.approve);
      const told = h.slack
        .ephemerals()
        .filter((e) => e.user === USERS.bob.id)
        .at(-1);
      expect(told?.text).toMatch(/only workspace admins and owners may approve/);
      expect(told?.text).toContain('SLACK_APPROVERS');
      expect((await h.app.store.getTask(task.id))?.status).toBe('proposed');
      await h.click(USERS.admin.id, card.ts, ACTIONS.approve);
      expect((await h.app.store.getTask(task.id))?.approvedBy).toBe(USERS.admin.id);
      await h.click(USERS.bob.id, card.ts, ACTIONS.execute);
      expect(await h.database.db.select().from(schema.runs)).toHaveLength(0);
    });
  });

  describe('APPROVAL_PREVENT_SELF=true', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        kind,
        approvers: [USERS.lead.id, USERS.bob.id],
        env: { APPROVAL_PREVENT_SELF: 'true' },
      });
    });
    afterAll(async () => h.close());

    it('refuses approval by the requester and by the last editor; another approver may approve', async () => {
      const { card, task } = await firstCard(h, USERS.lead.id);
      await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
      expect(
        h.slack
          .ephemerals()
          .filter((e) => e.user === USERS.lead.id)
          .at(-1)?.text,
      ).toMatch(/You asked for this task/);
      await editTitle(h, USERS.bob.id, card.ts, 'Bob changed the scope');
      await h.click(USERS.bob.id, card.ts, ACTIONS.approve);
      expect(
        h.slack
          .ephemerals()
          .filter((e) => e.user === USERS.bob.id)
          .at(-1)?.text,
      ).toMatch(/You made the last change/);
      expect((await h.app.store.getTask(task.id))?.status).toBe('proposed');
      expect(textOf(h.slack.message(CHANNEL, card.ts))).toContain('Bob changed the scope');
      // The requester may approve what someone else changed last? No: they asked for it.
      await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
      expect((await h.app.store.getTask(task.id))?.status).toBe('proposed');
    });

    it('lets an approver who neither asked nor edited approve', async () => {
      const { card, task } = await firstCard(h, USERS.alice.id);
      await h.click(USERS.bob.id, card.ts, ACTIONS.approve);
      expect(await h.app.store.getTask(task.id)).toMatchObject({
        status: 'approved',
        approvedBy: USERS.bob.id,
      });
    });
  });
});
