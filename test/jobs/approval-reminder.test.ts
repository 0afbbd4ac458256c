import { WebClient } from '@slack/web-api';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import type { ExtractedTask } from '../../src/domain/extraction.js';
import { startJobs } from '../../src/jobs.js';
import { createLogger } from '../../src/logger.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { remindApprovers } from '../../src/slack/approval-reminder.js';
import { TaskStore } from '../../src/tasks/task-store.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { testPermissions, versionOf } from '../support/permissions.js';

const logger = createLogger({ level: 'silent' });
const ENG = 'C0ENG';
const OPS = 'C0OPS';
const APPROVERS = ['U0LEAD', 'U0BOB'];

const extracted = (title: string, priority: ExtractedTask['priority'] = 'MEDIUM'): ExtractedTask => ({
  title,
  description: `${title}.`,
  acceptanceCriteria: [],
  priority,
  deadline: null,
  labels: [],
  assignee: null,
  evidence: '',
});

describe.each(DATABASE_KINDS)('approval reminder on %s', (kind) => {
  let slack: SlackWebApiStandIn;
  let client: WebClient;
  let database: TestDatabase;
  let store: TaskStore;

  beforeAll(async () => {
    slack = await SlackWebApiStandIn.start();
    slack.addChannel({ id: ENG, name: 'eng' });
    slack.addChannel({ id: OPS, name: 'ops' });
    client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    database = await openTestDatabase(kind);
    store = new TaskStore(database.db, testPermissions(APPROVERS));
  });
  afterAll(async () => {
    await database.close();
    await slack.close();
  });
  beforeEach(async () => database.truncate());

  /** Extracts tasks in a channel, posts their cards in a thread, and makes them `hoursOld` old. */
  async function waitingTasks(
    channel: string,
    titles: Array<[string, ExtractedTask['priority']]>,
    hoursOld: number,
  ) {
    const parent = slack.postMessage({ channel, user: 'U0ALICE', text: 'the discussion' });
    const { tasks } = await store.createDiscussion(
      {
        teamId: 'T1',
        channelId: channel,
        threadTs: parent.ts,
        permalink: slack.permalink(channel, parent.ts),
        requestedBy: 'U0ALICE',
        source: 'thread',
        messageCount: 1,
        extractor: 'rules',
        truncated: false,
        inputTokens: 0,
        outputTokens: 0,
      },
      titles.map(([t, p]) => extracted(t, p)),
      'acme/web',
    );
    const cards: Record<string, string> = {};
    for (const task of tasks) {
      const card = await client.chat.postMessage({ channel, thread_ts: parent.ts, text: task.title });
      await store.setCardMessage(task.id, channel, card.ts ?? '');
      cards[task.title] = card.ts ?? '';
    }
    await database.db
      .update(schema.tasks)
      .set({ createdAt: sql`now() - make_interval(hours => ${hoursOld})` })
      .where(
        inArray(
          schema.tasks.id,
          tasks.map((t) => t.id),
        ),
      );
    return { tasks, cards, threadTs: parent.ts };
  }

  /** Top-level messages the bot posted in a channel (digests). */
  const digests = (channel: string) => slack.messages(channel).filter((m) => m.botId && !m.threadTs);
  const allText = (m: { text: string; blocks?: unknown[] }) => m.text + JSON.stringify(m.blocks ?? []);
  const postCount = () => slack.calls('chat.postMessage').length;

  it('posts one digest per channel, listing its waiting tasks with links to their cards', async () => {
    const eng = await waitingTasks(
      ENG,
      [
        ['Rate-limit the login endpoint', 'HIGH'],
        ['Fix the alert threshold', 'MEDIUM'],
        ['Write the auth runbook', 'LOW'],
      ],
      6,
    );
    const ops = await waitingTasks(OPS, [['Rotate the database password', 'CRITICAL']], 30);
    const engBefore = digests(ENG).length;
    const opsBefore = digests(OPS).length;

    const posted = await remindApprovers({ db: database.db, client, approvers: APPROVERS, logger });
    expect(posted).toBe(2);
    const engDigests = digests(ENG).slice(engBefore);
    const opsDigests = digests(OPS).slice(opsBefore);
    expect(engDigests).toHaveLength(1);
    expect(opsDigests).toHaveLength(1);

    const engText = allText(engDigests[0]!);
    expect(engDigests[0]!.text).toContain('3 tasks have been waiting for approval');
    expect(engText).toContain('<@U0LEAD> <@U0BOB>');
    for (const [title, ts] of Object.entries(eng.cards)) {
      expect(engText).toContain(title);
      // chat.getPermalink of the card (a reply in the thread).
      expect(engText).toContain(slack.permalink(ENG, ts, eng.threadTs));
    }
    expect(engText).toContain('HIGH');
    expect(engText).not.toContain('Rotate the database password');

    const opsText = allText(opsDigests[0]!);
    expect(opsDigests[0]!.text).toContain('1 task has been waiting');
    expect(opsText).toContain('Rotate the database password');
    expect(opsText).toContain(slack.permalink(OPS, ops.cards['Rotate the database password']!, ops.threadTs));
    expect(opsText).not.toContain('Fix the alert threshold');
  });

  it('posts nothing when nothing waits, nor for fresh tasks, nor for tasks already decided', async () => {
    const before = postCount();
    expect(await remindApprovers({ db: database.db, client, approvers: APPROVERS, logger })).toBe(0);

    await waitingTasks(ENG, [['Fresh task', 'HIGH']], 1); // younger than the default 4 hours
    const old = await waitingTasks(
      OPS,
      [
        ['Approved long ago', 'HIGH'],
        ['Rejected long ago', 'LOW'],
      ],
      48,
    );
    await store.approveTask(old.tasks[0]!.id, 'U0LEAD', await versionOf(store, old.tasks[0]!.id));
    await store.rejectTask(old.tasks[1]!.id, 'U0LEAD', await versionOf(store, old.tasks[1]!.id));
    const afterSetup = postCount();
    expect(await remindApprovers({ db: database.db, client, approvers: APPROVERS, logger })).toBe(0);
    expect(postCount()).toBe(afterSetup);
    expect(afterSetup - before).toBe(3); // only the three cards posted by the setup

    // With a shorter threshold, the fresh task counts.
    expect(
      await remindApprovers({ db: database.db, client, approvers: APPROVERS, logger, olderThanHours: 0.5 }),
    ).toBe(1);
  });

  it('says workspace admins may approve when no approvers are named', async () => {
    await waitingTasks(ENG, [['Anyone may take this', 'LOW']], 5);
    const before = digests(ENG).length;
    expect(await remindApprovers({ db: database.db, client, approvers: [], logger })).toBe(1);
    const digest = digests(ENG).slice(before)[0]!;
    expect(allText(digest)).toMatch(/Workspace admins and owners may approve/);
    expect(allText(digest)).not.toContain('<@U0');
  });

  it('keeps posting to other channels when one fails, and fails only when all do', async () => {
    await waitingTasks(ENG, [['In eng', 'LOW']], 5);
    await waitingTasks(OPS, [['In ops', 'LOW']], 5);
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await remindApprovers({ db: database.db, client, approvers: APPROVERS, logger })).toBe(1);

    slack.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    await expect(remindApprovers({ db: database.db, client, approvers: APPROVERS, logger })).rejects.toThrow(
      /channel_not_found/,
    );
  });

  it('runs as the daily job: one digest per channel, and none on a second run the same day', async () => {
    await waitingTasks(ENG, [['Daily one', 'HIGH']], 5);
    await waitingTasks(OPS, [['Daily two', 'HIGH']], 5);
    const jobs = startJobs(
      {
        database,
        logger,
        recoverExpiredLeases: async () => 0,
        remindApprovers: () => remindApprovers({ db: database.db, client, approvers: APPROVERS, logger }),
        pruneAuditEvents: async () => 0,
      },
      { 'recover-leases': '0 0 1 1 *', 'approval-reminder': '0 0 1 1 *', 'prune-audit': '0 0 1 1 *' },
    );
    try {
      const before = postCount();
      expect(await jobs.runNow('approval-reminder')).toMatchObject({ status: 'succeeded', count: 2 });
      expect(await jobs.runNow('approval-reminder')).toMatchObject({
        status: 'skipped',
        reason: 'done-today',
      });
      expect(postCount() - before).toBe(2);
      const [row] = await database.db
        .select()
        .from(schema.jobRuns)
        .where(eq(schema.jobRuns.name, 'approval-reminder'));
      expect(row?.lastResult).toEqual({ count: 2 });
    } finally {
      await jobs.stop();
    }
  });
});
