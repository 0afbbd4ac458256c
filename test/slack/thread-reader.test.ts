import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { readThread } from '../../src/slack/thread-reader.js';
import { UserDirectory } from '../../src/slack/user-directory.js';

/** Issue 7, item 9: long threads keep their parent and their newest messages, and say what was left out. */
describe('readThread against the Slack stand-in', () => {
  let slack: SlackWebApiStandIn;
  let client: WebClient;
  let users: UserDirectory;
  const CH = 'C0LONG';

  beforeAll(async () => {
    // Messages one second apart, whatever the machine's load: the reader's binary search on time
    // then takes the same number of probes on every run.
    let clock = Date.parse('2026-01-01T00:00:00Z');
    slack = await SlackWebApiStandIn.start({ now: () => (clock += 1_000) });
    slack.addUser({ id: 'U0A', name: 'ann', realName: 'Ann' });
    slack.addUser({ id: 'U0B', name: 'ben', realName: 'Ben' });
    slack.addChannel({ id: CH, name: 'long' });
    client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    users = new UserDirectory(client);
  });
  afterAll(async () => slack.close());

  /** A thread of `replies` replies by people (and a bot card every 100th), `pad` bytes of text each. */
  function longThread(replies: number, pad = 0): { ts: string; texts: string[] } {
    const parent = slack.postMessage({ channel: CH, user: 'U0A', text: 'Parent: the topic' });
    const texts: string[] = [];
    for (let i = 1; i <= replies; i++) {
      const text = `reply ${i} ${'x'.repeat(pad)}`;
      texts.push(text);
      slack.postMessage({ channel: CH, user: i % 2 ? 'U0A' : 'U0B', text, threadTs: parent.ts });
    }
    return { ts: parent.ts, texts };
  }

  it('reads every page of a thread over 2,000 messages: the newest are kept, nothing left out', async () => {
    const { ts, texts } = longThread(2_500);
    const read = await readThread(client, { channel: CH, threadTs: ts }, users);
    expect(read.omitted).toBe(0);
    expect(read.messages).toHaveLength(2_501);
    expect(read.messages[0]?.text).toBe('Parent: the topic');
    expect(read.messages.at(-1)?.text).toBe(texts.at(-1));
    expect(new Set(read.messages.map((m) => m.ts)).size).toBe(2_501);
    expect(read.messages.map((m) => m.userName)).toContain('Ben');
  });

  it('keeps memory within maxBytes by dropping the oldest replies, never the parent, and counts them', async () => {
    const { ts, texts } = longThread(1_000, 400);
    const read = await readThread(client, { channel: CH, threadTs: ts }, users, { maxBytes: 50_000 });
    const kept = read.messages.slice(1);
    expect(read.messages[0]?.text).toBe('Parent: the topic');
    expect(kept.length).toBeGreaterThan(50);
    expect(kept.length).toBeLessThan(1_000);
    // The newest replies, in order, with no gap.
    expect(kept.map((m) => m.text)).toEqual(texts.slice(texts.length - kept.length));
    expect(read.omitted).toBe(1_000 - kept.length);
    const bytes = read.messages.reduce((n, m) => n + Buffer.byteLength(m.text), 0);
    expect(bytes).toBeLessThanOrEqual(50_000);
  });

  it('past the deadline, stops paging and fetches the newest replies directly; says how many were skipped', async () => {
    const { ts, texts } = longThread(3_000);
    // A clock that moves one second per look: the deadline passes after a few pages.
    let clock = 0;
    const now = () => (clock += 1_000);
    const callsBefore = slack.calls('conversations.replies').length;
    const read = await readThread(client, { channel: CH, threadTs: ts }, users, { deadlineMs: 3_500, now });
    const calls = slack.calls('conversations.replies').length - callsBefore;
    expect(calls).toBeLessThan(3_000 / 200); // fewer than paging through it all
    expect(read.messages[0]?.text).toBe('Parent: the topic');
    expect(read.messages.at(-1)?.text).toBe(texts.at(-1));
    const replies = read.messages.slice(1);
    // At least half a page of the newest replies, without a gap.
    let tail = 0;
    while (
      tail < replies.length &&
      replies[replies.length - 1 - tail]?.text === texts[texts.length - 1 - tail]
    ) {
      tail += 1;
    }
    expect(tail).toBeGreaterThanOrEqual(100);
    expect(read.omitted).toBe(3_000 - replies.length);
    expect(read.omitted).toBeGreaterThan(0);
  });

  it('skips bots (our own cards) and counts only people', async () => {
    const parent = slack.postMessage({ channel: CH, user: 'U0A', text: 'a thread with cards' });
    slack.postMessage({ channel: CH, user: 'U0B', text: 'TODO: one thing', threadTs: parent.ts });
    await client.chat.postMessage({ channel: CH, thread_ts: parent.ts, text: 'a card' });
    const read = await readThread(client, { channel: CH, threadTs: parent.ts }, users);
    expect(read.messages.map((m) => m.text)).toEqual(['a thread with cards', 'TODO: one thing']);
    expect(read.omitted).toBe(0);
  });
});
