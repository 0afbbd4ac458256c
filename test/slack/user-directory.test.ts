import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { UserDirectory } from '../../src/slack/user-directory.js';

/** Issue 7, item 13: name look-ups are bounded per call, shared, limited in concurrency, and misses expire. */
describe('UserDirectory against the Slack stand-in', () => {
  let slack: SlackWebApiStandIn;
  let client: WebClient;
  let clock = 0;
  const now = () => clock;

  beforeEach(async () => {
    slack = await SlackWebApiStandIn.start();
    slack.addUser({ id: 'U0ANN', name: 'ann', realName: 'Ann Lee', displayName: 'ann.l' });
    slack.addUser({ id: 'U0BEN', name: 'ben' });
    client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    clock = 1_000_000;
  });
  afterEach(async () => slack.close());

  const lookups = () => slack.calls('users.info').map((c) => String(c.args.user));

  it('shares one look-up between concurrent callers for the same id', async () => {
    const users = new UserDirectory(client, { now });
    const names = await Promise.all([users.name('U0ANN'), users.name('U0ANN'), users.name('U0ANN')]);
    expect(names).toEqual(['ann.l', 'ann.l', 'ann.l']);
    expect(lookups()).toEqual(['U0ANN']);
  });

  it('remembers unknown ids for a while, then asks again', async () => {
    const users = new UserDirectory(client, { now, missTtlMs: 60_000 });
    expect(await users.name('U0GHOST')).toBe('U0GHOST');
    expect(await users.name('U0GHOST')).toBe('U0GHOST');
    expect(lookups()).toEqual(['U0GHOST']);
    clock += 60_001;
    await users.name('U0GHOST');
    expect(lookups()).toEqual(['U0GHOST', 'U0GHOST']);
  });

  it('does not remember a failed look-up that was not "user not found"', async () => {
    const users = new UserDirectory(client, { now });
    slack.failNext('users.info', { error: 'fatal_error' });
    expect(await users.name('U0BEN')).toBe('U0BEN');
    expect(await users.name('U0BEN')).toBe('ben');
  });

  it('resolves every known person but only a bounded number of other mentioned ids, a few at a time', async () => {
    const users = new UserDirectory(client, { now, maxMentionLookups: 5, concurrency: 3 });
    slack.setLatency('users.info', 10); // so calls overlap and the stand-in sees the client's concurrency
    const made = Array.from({ length: 500 }, (_, i) => `<@U9FAKE${i}>`).join(' ');
    const names = await users.namesFor([`hi <@U0BEN> ${made}`], ['U0ANN']);
    expect(names.U0ANN).toBe('ann.l');
    expect(names.U0BEN).toBe('ben');
    const asked = lookups();
    expect(asked).toHaveLength(2 + 4); // Ann (known), Ben (first mention) and 4 more mentions: 5 in all
    expect(asked.filter((id) => id.startsWith('U9FAKE')).sort()).toEqual([
      'U9FAKE0',
      'U9FAKE1',
      'U9FAKE2',
      'U9FAKE3',
    ]);
    expect(slack.peakConcurrency('users.info')).toBeLessThanOrEqual(3);
    // Ids beyond the bound are left out: callers show them as they show any unknown id.
    expect(names.U9FAKE499).toBeUndefined();
  });

  it('forgets the least recently used names past maxEntries', async () => {
    const users = new UserDirectory(client, { now, maxEntries: 1 });
    await users.name('U0ANN');
    await users.name('U0BEN');
    await users.name('U0ANN');
    expect(lookups()).toEqual(['U0ANN', 'U0BEN', 'U0ANN']);
  });
});
