import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { CHECK_FAILED, FOREIGN_HOST, NOT_VISIBLE } from '../../src/slack/thread-access.js';
import { DATABASE_KINDS } from '../support/database.js';
import { CHANNEL, type Harness, startHarness, USERS } from '../support/harness.js';

/**
 * Issue 7, item 2: a person may only have the bot read what they can see. Everything arrives as
 * signed requests; the bot reads through the Slack stand-in with its own token, which is a member
 * of every conversation here, so only the access rules stand between a link and its content.
 */
const OPS = 'C0OPS'; // public; Lena and Alice are members, Bob is not
const PRIVATE = 'C0PRIV'; // private channel (modern C… id); Lena and Bob are members
const GROUP = 'G0GROUP'; // group DM of Alice and Bob
const DM = 'D0ALICEBOB'; // a DM the bot somehow has access to
const SECRET = 'the launch codes are 0000';

describe.each(DATABASE_KINDS)('who may extract which thread (%s)', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ kind, approvers: [USERS.lead.id, USERS.bob.id] });
    h.slack.addChannel({ id: OPS, name: 'ops', members: [USERS.lead.id, USERS.alice.id, h.slack.botUserId] });
    h.slack.addChannel({
      id: PRIVATE,
      name: 'private',
      isPrivate: true,
      members: [USERS.lead.id, USERS.bob.id],
    });
    h.slack.addChannel({
      id: GROUP,
      name: 'mpdm-alice--bob',
      isMpim: true,
      members: [USERS.alice.id, USERS.bob.id],
    });
    h.slack.addChannel({ id: DM, name: 'dm', isPrivate: true, members: [USERS.alice.id, USERS.bob.id] });
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    await h.database.truncate();
  });

  /** A thread with a task in it, posted in `channel`; returns its link. */
  function threadIn(
    channel: string,
    author: string = USERS.lead.id,
    topic = 'the runbook',
  ): { ts: string; link: string } {
    const parent = h.slack.postMessage({
      channel,
      user: author,
      text: `TODO: rotate the keys of ${topic}, ${SECRET}`,
    });
    h.slack.postMessage({ channel, user: author, text: `We need to update ${topic}`, threadTs: parent.ts });
    return { ts: parent.ts, link: h.slack.permalink(channel, parent.ts) };
  }

  async function extract(user: string, channel: string, text: string): Promise<void> {
    const sent = await h.sender.slashCommand({ user, channel, text });
    expect(sent.status).toBe(200);
    await h.app.idle();
  }

  const toldTo = (user: string) =>
    h.slack
      .ephemerals()
      .filter((e) => e.user === user)
      .map((e) => e.text);
  const discussions = () => h.database.db.select().from(schema.discussions);

  /** Where the stand-in stood before a request, to look only at what the request did. */
  const mark = (user: string) => ({
    told: toldTo(user).length,
    reads: h.slack.calls('conversations.replies').length,
  });

  /** Refused: told so privately, the target never read, nothing stored or posted in its thread. */
  async function expectRefused(
    user: string,
    target: { channel: string; ts: string },
    reason: string,
    before: ReturnType<typeof mark>,
  ) {
    const told = toldTo(user).slice(before.told);
    expect(told).toEqual([reason]);
    expect(told.join('\n')).not.toContain(SECRET);
    expect(h.slack.calls('conversations.replies').slice(before.reads)).toEqual([]);
    expect(await discussions()).toHaveLength(0);
    expect(h.slack.thread(target.channel, target.ts).filter((m) => m.botId)).toHaveLength(0);
  }

  it('refuses a link to a public channel the requester is not a member of, and reads it for a member', async () => {
    const { ts, link } = threadIn(OPS);
    const before = mark(USERS.bob.id);
    await extract(USERS.bob.id, CHANNEL, link);
    await expectRefused(USERS.bob.id, { channel: OPS, ts }, NOT_VISIBLE, before);

    await extract(USERS.alice.id, CHANNEL, link);
    expect(await discussions()).toHaveLength(1);
    expect(h.slack.thread(OPS, ts).filter((m) => m.botId).length).toBeGreaterThan(1);
    expect(toldTo(USERS.alice.id).join('\n')).toMatch(/extracting tasks/i);
  });

  it('finds a member on a later page of conversations.members', async () => {
    const crowd = Array.from({ length: 450 }, (_, i) => `U0CROWD${i}`);
    h.slack.addChannel({ id: 'C0CROWD', name: 'crowd', members: [...crowd, USERS.bob.id] });
    const { link } = threadIn('C0CROWD');
    await extract(USERS.bob.id, CHANNEL, link);
    expect(await discussions()).toHaveLength(1);
    expect(h.slack.calls('conversations.members').filter((c) => c.args.channel === 'C0CROWD').length).toBe(3);
  });

  it('refuses private channels, group DMs and DMs from another conversation, even for their members; reads them from inside', async () => {
    for (const [channel, user] of [
      [PRIVATE, USERS.bob.id],
      [GROUP, USERS.bob.id],
      [DM, USERS.alice.id],
    ] as const) {
      const { ts, link } = threadIn(channel, user);
      const before = mark(user);
      await extract(user, CHANNEL, link);
      await expectRefused(user, { channel, ts }, NOT_VISIBLE, before);
    }

    const { ts, link } = threadIn(PRIVATE, USERS.bob.id);
    await extract(USERS.bob.id, PRIVATE, link);
    expect(await discussions()).toHaveLength(1);
    expect(h.slack.thread(PRIVATE, ts).filter((m) => m.botId).length).toBeGreaterThan(1);
    // Nobody had to be looked up: the person is in the conversation they typed in.
    expect(h.slack.calls('conversations.members').filter((c) => c.args.channel === PRIVATE)).toHaveLength(0);
  });

  it('accepts only links to this workspace (host from auth.test)', async () => {
    const { ts } = threadIn(CHANNEL);
    const path = `/archives/${CHANNEL}/p${ts.replace('.', '')}`;
    const authTests = h.slack.calls('auth.test').length;
    for (const host of [
      'evil-slack.com',
      `${h.slack.teamDomain}.slack.com@evil.example`,
      'other.slack.com',
    ]) {
      const before = mark(USERS.alice.id);
      await extract(USERS.alice.id, CHANNEL, `https://${host}${path}`);
      await expectRefused(USERS.alice.id, { channel: CHANNEL, ts }, FOREIGN_HOST, before);
    }
    await extract(USERS.alice.id, CHANNEL, `https://${h.slack.teamDomain}.slack.com${path}`);
    expect(await discussions()).toHaveLength(1);
    // auth.test is asked once (at most, here: an earlier test may have asked) and remembered.
    expect(h.slack.calls('auth.test').length - authTests).toBeLessThanOrEqual(1);
  });

  it('fails closed when membership cannot be checked', async () => {
    h.slack.addChannel({ id: 'C0FLAKY', name: 'flaky' });
    const { ts, link } = threadIn('C0FLAKY');
    h.slack.failNext('conversations.members', { error: 'fatal_error' });
    const before = mark(USERS.alice.id);
    await extract(USERS.alice.id, CHANNEL, link);
    await expectRefused(USERS.alice.id, { channel: 'C0FLAKY', ts }, CHECK_FAILED, before);
  });

  it('applies the same rules to a link given in a mention', async () => {
    const { ts, link } = threadIn(OPS);
    const here = h.slack.postMessage({ channel: CHANNEL, user: USERS.bob.id, text: 'context' });
    const mention = h.slack.postMessage({
      channel: CHANNEL,
      user: USERS.bob.id,
      text: `<@${h.slack.botUserId}> extract <${link}>`,
      threadTs: here.ts,
    });
    const before = mark(USERS.bob.id);
    await h.sender.event({
      type: 'app_mention',
      user: USERS.bob.id,
      text: mention.text,
      channel: CHANNEL,
      ts: mention.ts,
      thread_ts: here.ts,
    });
    await h.app.idle();
    await expectRefused(USERS.bob.id, { channel: OPS, ts }, NOT_VISIBLE, before);
  });

  it('lists pending approvals in App Home only from channels the viewer is a member of', async () => {
    await extract(USERS.alice.id, CHANNEL, threadIn(OPS, USERS.lead.id, 'the ops dashboard').link);
    await extract(USERS.alice.id, CHANNEL, threadIn(CHANNEL, USERS.lead.id, 'the eng wiki').link);
    const tasks = await h.database.db.select().from(schema.tasks);
    const inOps = tasks.filter((t) => t.channelId === OPS);
    const inEng = tasks.filter((t) => t.channelId === CHANNEL);
    expect(inOps.length).toBeGreaterThan(0);
    expect(inEng.length).toBeGreaterThan(0);

    const home = async (user: string) => {
      await h.sender.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home' });
      await h.app.idle();
      return JSON.stringify(h.slack.homeView(user));
    };
    const bobs = await home(USERS.bob.id); // an approver, not in #ops
    for (const t of inEng) expect(bobs).toContain(t.title);
    for (const t of inOps) expect(bobs).not.toContain(t.title);
    const lenas = await home(USERS.lead.id); // an approver in #ops
    for (const t of [...inOps, ...inEng]) expect(lenas).toContain(t.title);
  });
});
