import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { MENTION_HELP } from '../../src/slack/listeners/events/app-mention.js';
import { DATABASE_KINDS } from '../support/database.js';
import { CHANNEL, type Harness, startHarness, USERS } from '../support/harness.js';

/** Issue 7, item 10: extraction only when asked for, and not without limit. */
describe.each(DATABASE_KINDS)('extraction triggers and rate limits (%s)', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      kind,
      env: { EXTRACT_RATE_PER_USER: '2', EXTRACT_THREAD_COOLDOWN_SECONDS: '600' },
    });
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    await h.database.truncate();
  });

  const discussions = () => h.database.db.select().from(schema.discussions);
  const toldTo = (user: string) =>
    h.slack
      .ephemerals()
      .filter((e) => e.user === user)
      .map((e) => e.text);
  let topic = 0;
  const newThread = () => {
    topic += 1;
    return h.postThread([
      [USERS.lead.id, `Planning round ${topic}`],
      [USERS.alice.id, `TODO: write the report number ${topic}`],
    ]);
  };
  const extract = async (user: string, threadTs: string) => {
    await h.sender.slashCommand({ user, channel: CHANNEL, text: h.slack.permalink(CHANNEL, threadTs) });
    await h.app.idle();
  };
  const mention = async (user: string, threadTs: string, text: string) => {
    const posted = h.slack.postMessage({ channel: CHANNEL, user, text, threadTs });
    await h.sender.event({
      type: 'app_mention',
      user,
      text,
      channel: CHANNEL,
      ts: posted.ts,
      thread_ts: threadTs,
    });
    await h.app.idle();
  };

  it('extracts on a mention only with the `extract` keyword, and answers other mentions with short help', async () => {
    const threadTs = newThread();
    const bot = `<@${h.slack.botUserId}>`;
    const before = toldTo(USERS.bob.id).length;
    await mention(USERS.bob.id, threadTs, `thanks ${bot}!`);
    await mention(USERS.bob.id, threadTs, `${bot} can you extract this later?`);
    expect(await discussions()).toHaveLength(0);
    expect(h.slack.calls('conversations.replies').filter((c) => c.args.ts === threadTs)).toEqual([]);
    expect(toldTo(USERS.bob.id).slice(before)).toEqual([MENTION_HELP, MENTION_HELP]);

    await mention(USERS.bob.id, threadTs, `${bot} Extract`);
    expect(await discussions()).toHaveLength(1);
  });

  it('refuses to extract one thread again within the cooldown, from any surface, and says when it can', async () => {
    const threadTs = newThread();
    await extract(USERS.lead.id, threadTs);
    const cards = h.botMessages(threadTs).length;
    expect(cards).toBeGreaterThan(1);

    const before = toldTo(USERS.alice.id).length;
    await extract(USERS.alice.id, threadTs);
    await h.sender.messageShortcut({
      user: USERS.alice.id,
      channel: CHANNEL,
      messageTs: threadTs,
      callbackId: 'extract_tasks',
    });
    await h.app.idle();
    await mention(USERS.alice.id, threadTs, `<@${h.slack.botUserId}> extract`);
    const told = toldTo(USERS.alice.id).slice(before);
    expect(told).toHaveLength(3);
    for (const text of told) {
      expect(text).toMatch(/can be extracted again <!date\^\d+\^/);
      expect(text).toMatch(/in about \d+ minutes?/);
    }
    expect(await discussions()).toHaveLength(1);
    expect(h.botMessages(threadTs)).toHaveLength(cards);
  });

  it('limits extractions per person per hour (counted in the database) and says when they can try again', async () => {
    await extract(USERS.bob.id, newThread());
    await extract(USERS.bob.id, newThread());
    const before = toldTo(USERS.bob.id).length;
    const third = newThread();
    await extract(USERS.bob.id, third);
    const [refusal, ...more] = toldTo(USERS.bob.id).slice(before);
    expect(more).toEqual([]);
    expect(refusal).toMatch(/You have started 2 extractions in the last hour/);
    expect(refusal).toMatch(/extract again <!date\^\d+\^/);
    expect(h.botMessages(third)).toHaveLength(0);
    expect(await discussions()).toHaveLength(2);

    // Someone else is not affected.
    await extract(USERS.alice.id, third);
    expect(await discussions()).toHaveLength(3);
  });

  it('counts extractions still running: three at once from one person start only two', async () => {
    const threads = [newThread(), newThread(), newThread()];
    await Promise.all(
      threads.map((ts) =>
        h.sender.slashCommand({
          user: USERS.lead.id,
          channel: CHANNEL,
          text: h.slack.permalink(CHANNEL, ts),
        }),
      ),
    );
    await h.app.idle();
    expect(await discussions()).toHaveLength(2);
    expect(toldTo(USERS.lead.id).join('\n')).toMatch(/running, the most allowed at once|in the last hour/);
  });
});
