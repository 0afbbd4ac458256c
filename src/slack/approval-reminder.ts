/**
 * The approval reminder: tasks still `proposed` some hours after extraction, grouped by the channel
 * their cards are in, and ONE digest message per channel (not one per task) naming the approvers.
 */
import type { WebClient } from '@slack/web-api';
import { and, asc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { discussions, tasks } from '../../db/schema.js';
import type { Logger } from '../logger.js';
import { type ApprovalDigestTask, buildApprovalDigest, DIGEST_MAX_LISTED } from './blocks/approval-digest.js';

export interface ApprovalReminderDeps {
  db: Db;
  client: WebClient;
  approvers: readonly string[];
  /** Only tasks created longer ago than this are listed (default 4). */
  olderThanHours?: number;
  logger: Logger;
  now?: () => Date;
}

export const DEFAULT_REMINDER_AGE_HOURS = 4;

interface Waiting {
  channelId: string;
  title: string;
  priority: string;
  messageTs: string | null;
  createdAt: Date;
  discussionPermalink: string | null;
}

/** The card's permalink, else the discussion's, else none: a missing link must not stop the digest. */
async function permalinkFor(client: WebClient, t: Waiting, logger: Logger): Promise<string | null> {
  if (t.messageTs) {
    try {
      const res = await client.chat.getPermalink({ channel: t.channelId, message_ts: t.messageTs });
      if (typeof res.permalink === 'string') return res.permalink;
    } catch (err) {
      logger.debug({ err, channel: t.channelId }, 'no permalink for a task card');
    }
  }
  return t.discussionPermalink;
}

/** Posts the digests; returns how many were posted. Throws only when every channel failed. */
export async function remindApprovers(deps: ApprovalReminderDeps): Promise<number> {
  const hours = deps.olderThanHours ?? DEFAULT_REMINDER_AGE_HOURS;
  const now = deps.now?.() ?? new Date();
  const cutoff = new Date(now.getTime() - hours * 60 * 60 * 1000);
  const rows: Waiting[] = await deps.db
    .select({
      channelId: tasks.channelId,
      title: tasks.title,
      priority: tasks.priority,
      messageTs: tasks.messageTs,
      createdAt: tasks.createdAt,
      discussionPermalink: discussions.permalink,
    })
    .from(tasks)
    .leftJoin(discussions, eq(discussions.id, tasks.discussionId))
    .where(and(eq(tasks.status, 'proposed'), lt(tasks.createdAt, cutoff)))
    .orderBy(asc(tasks.channelId), asc(tasks.createdAt), asc(tasks.position));

  const byChannel = new Map<string, Waiting[]>();
  for (const row of rows) {
    const list = byChannel.get(row.channelId) ?? [];
    list.push(row);
    byChannel.set(row.channelId, list);
  }

  let posted = 0;
  let failed = 0;
  let lastError: unknown;
  for (const [channel, waiting] of byChannel) {
    try {
      const listed: ApprovalDigestTask[] = await Promise.all(
        waiting.slice(0, DIGEST_MAX_LISTED).map(async (t) => ({
          title: t.title,
          priority: t.priority,
          createdAt: t.createdAt,
          permalink: await permalinkFor(deps.client, t, deps.logger),
        })),
      );
      const digest = buildApprovalDigest({
        tasks: listed,
        total: waiting.length,
        approvers: deps.approvers,
        olderThanHours: hours,
      });
      await deps.client.chat.postMessage({
        channel,
        text: digest.text,
        blocks: digest.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      posted++;
    } catch (err) {
      // One channel (archived, bot removed) must not keep the others from their digest.
      failed++;
      lastError = err;
      deps.logger.warn({ err, channel, tasks: waiting.length }, 'could not post the approval digest');
    }
  }
  if (failed > 0 && posted === 0) throw lastError;
  return posted;
}
