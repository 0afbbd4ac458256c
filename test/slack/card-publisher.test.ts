import { WebClient } from '@slack/web-api';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { createLogger } from '../../src/logger.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import {
  CardPublisher,
  type CardPublisherOptions,
  rateLimitDelayMs,
} from '../../src/slack/card-publisher.js';
import { UserDirectory } from '../../src/slack/user-directory.js';
import { TaskStore } from '../../src/tasks/task-store.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { testPermissions } from '../support/permissions.js';

const CHANNEL = 'C0CARDS';
const logger = createLogger({ level: 'silent' });

describe('CardPublisher (coalesced chat.update against the Slack stand-in)', () => {
  let slack: SlackWebApiStandIn;
  let client: WebClient;
  let database: TestDatabase;
  let store: TaskStore;
  let users: UserDirectory;

  beforeAll(async () => {
    slack = await SlackWebApiStandIn.start();
    slack.addChannel({ id: CHANNEL, name: 'cards' });
    // As Bolt's app.client is built in src/slack/app.ts for tests: no retries of its own.
    client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    database = await openTestDatabase('pglite');
    store = new TaskStore(database.db, testPermissions([], { admins: ['UANY', 'U1'] }));
    users = new UserDirectory(client);
  });
  afterAll(async () => {
    await database.close();
    await slack.close();
  });
  beforeEach(async () => database.truncate());

  const publisher = (options: CardPublisherOptions = {}, c: WebClient = client) =>
    new CardPublisher(c, store, users, logger, options);

  /** A task whose card is posted in the channel; returns its id and the card's ts. */
  async function postedTask(title = 'Add rate limiting'): Promise<{ id: string; ts: string }> {
    const { tasks } = await store.createDiscussion(
      {
        teamId: 'T1',
        channelId: CHANNEL,
        threadTs: null,
        permalink: null,
        requestedBy: 'U0LEAD',
        source: 'text',
        messageCount: 1,
        extractor: 'rules',
        truncated: false,
        inputTokens: 0,
        outputTokens: 0,
      },
      [
        {
          title,
          description: 'Limit login attempts',
          acceptanceCriteria: ['5 per minute'],
          priority: 'HIGH',
          deadline: null,
          labels: [],
          assignee: null,
          evidence: '',
        },
      ],
      'acme/web',
    );
    const task = tasks[0];
    if (!task) throw new Error('no task');
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'card placeholder' });
    if (!posted.ts) throw new Error('no ts');
    await store.setCardMessage(task.id, CHANNEL, posted.ts);
    return { id: task.id, ts: posted.ts };
  }

  const setTitle = (id: string, title: string) =>
    database.db.update(schema.tasks).set({ title }).where(eq(schema.tasks.id, id));

  const shown = (ts: string) => JSON.stringify(slack.message(CHANNEL, ts)?.blocks ?? []);
  const updateCalls = (ts: string) => slack.calls('chat.update').filter((c) => c.args.ts === ts).length;

  it('merges 20 rapid refreshes into at most 2 updates, and the card ends in the final state', async () => {
    const { id, ts } = await postedTask();
    const cards = publisher(); // the real 1 s interval: every refresh below lands inside it
    const pending: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      await setTitle(id, `Title v${i}`);
      pending.push(cards.refresh(id));
    }
    // The last call's promise means "the card shows state at least as new as this call".
    await pending.at(-1);
    expect(shown(ts)).toContain('Title v20');
    await cards.idle();
    await Promise.all(pending);
    expect(updateCalls(ts)).toBeGreaterThanOrEqual(1);
    expect(updateCalls(ts)).toBeLessThanOrEqual(2);
    expect(cards.stats()).toEqual({ updates: updateCalls(ts), rateLimited: 0 });
    expect(shown(ts)).toContain('Title v20');
    expect(shown(ts)).not.toContain('Title v19');
  });

  it('sends each refresh spread over more than the interval as its own update', async () => {
    const { id, ts } = await postedTask();
    let clock = 1_000_000;
    const cards = publisher({ minIntervalMs: 1000, now: () => clock });
    for (let i = 1; i <= 3; i++) {
      await setTitle(id, `Spread v${i}`);
      await cards.refresh(id);
      expect(shown(ts)).toContain(`Spread v${i}`);
      clock += 1001;
    }
    expect(updateCalls(ts)).toBe(3);
    expect(cards.stats().updates).toBe(3);
  });

  it('sends the first refresh of a quiet card at once, each card on its own', async () => {
    const a = await postedTask('Card A');
    const b = await postedTask('Card B');
    // A frozen clock and a minute's interval: any refresh that waited would never end in time.
    const clock = 9_000_000;
    const cards = publisher({ minIntervalMs: 60_000, now: () => clock });
    await cards.refresh(a.id);
    await cards.refresh(b.id); // card A's interval does not hold back card B
    expect(updateCalls(a.ts)).toBe(1);
    expect(updateCalls(b.ts)).toBe(1);
    expect(shown(b.ts)).toContain('Card B');
  });

  it('retries a rate-limited update (429) and still shows the final state after idle()', async () => {
    const { id, ts } = await postedTask();
    const cards = publisher({ minIntervalMs: 50 });
    slack.failNext('chat.update', { status: 429, retryAfterSec: 1 });
    await setTitle(id, 'Limited v1');
    const first = cards.refresh(id);
    // A newer state arrives while the call is rate-limited: the retry renders it.
    await setTitle(id, 'Limited v2');
    const second = cards.refresh(id);
    await cards.idle();
    await Promise.all([first, second]);
    expect(shown(ts)).toContain('Limited v2');
    expect(cards.stats()).toEqual({ updates: 1, rateLimited: 1 });
    expect(updateCalls(ts)).toBe(2); // the 429 and the retry
  });

  it('waits Retry-After itself when the client rejects rate-limited calls', async () => {
    const rejecting = new WebClient(slack.token, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const { id, ts } = await postedTask();
    const cards = publisher({ minIntervalMs: 50 }, rejecting);
    slack.failNext('chat.update', { status: 429, retryAfterSec: 1 });
    await setTitle(id, 'Rejected then shown');
    await cards.refresh(id);
    expect(shown(ts)).toContain('Rejected then shown');
    expect(cards.stats()).toEqual({ updates: 1, rateLimited: 1 });
  });

  it('gives up after maxRateLimitRetries, resolves, and the next refresh works', async () => {
    const { id, ts } = await postedTask();
    const cards = publisher({ minIntervalMs: 0, maxRateLimitRetries: 1 });
    slack.failNext('chat.update', { status: 429, retryAfterSec: 0 }, 2);
    await setTitle(id, 'Never shown');
    await cards.refresh(id);
    expect(shown(ts)).not.toContain('Never shown');
    expect(cards.stats()).toEqual({ updates: 0, rateLimited: 2 });
    await setTitle(id, 'Shown at last');
    await cards.refresh(id);
    expect(shown(ts)).toContain('Shown at last');
  });

  it('resolves on a Slack error without retrying it, and skips cards never posted', async () => {
    const { id, ts } = await postedTask();
    const cards = publisher({ minIntervalMs: 0 });
    slack.failNext('chat.update', { error: 'message_not_found' });
    await cards.refresh(id);
    expect(updateCalls(ts)).toBe(1);
    expect(cards.stats()).toEqual({ updates: 0, rateLimited: 0 });

    await database.db.update(schema.tasks).set({ messageTs: null }).where(eq(schema.tasks.id, id));
    await cards.refresh(id);
    await cards.idle();
    expect(updateCalls(ts)).toBe(1);
  });
});

describe('rateLimitDelayMs', () => {
  it('tells the two forms of a Slack rate limit from other errors', () => {
    expect(rateLimitDelayMs({ code: 'slack_webapi_rate_limited_error', retryAfter: 3 })).toBe(3000);
    const waited = new Error('A rate limit was exceeded (url: chat.update, retry-after: 2)');
    expect(rateLimitDelayMs({ code: 'slack_webapi_request_error', original: waited })).toBe(0);
    expect(rateLimitDelayMs(waited)).toBe(0);
    expect(
      rateLimitDelayMs({ code: 'slack_webapi_request_error', original: new Error('socket hang up') }),
    ).toBeUndefined();
    expect(rateLimitDelayMs(new Error('An API error occurred: message_not_found'))).toBeUndefined();
    expect(rateLimitDelayMs('boom')).toBeUndefined();
  });
});
