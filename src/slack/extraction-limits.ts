import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { discussions } from '../../db/schema.js';
import { plural, slackDate } from './blocks/format.js';
import type { ThreadRef } from './permalink.js';

export interface ExtractionLimitSettings {
  /** Extractions one person may start per hour (every replica counts); 0 = no limit. */
  perUserPerHour: number;
  /** After an extraction of a thread, how long before the same thread may be extracted again; 0 = never wait. */
  threadCooldownMs: number;
}

/** A place taken by an extraction in flight; give it back when the extraction ends, however it ends. */
export interface Reservation {
  release(): void;
}

export type LimitDecision = { ok: true; reservation: Reservation } | { ok: false; reason: string };

const HOUR_MS = 60 * 60 * 1000;

/**
 * Rate limits for extraction (each one is an LLM call and a set of cards). Finished extractions
 * are counted from `discussions`, so replicas share the counts; extractions still in flight are
 * counted in memory, per process, and a thread is never extracted twice at once.
 */
export class ExtractionLimits {
  private readonly runningByUser = new Map<string, number>();
  private readonly runningThreads = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly settings: ExtractionLimitSettings,
  ) {}

  /** Takes a place for `userId` (and the thread), or says why not and when to try again. */
  async reserve(userId: string, thread: ThreadRef | null): Promise<LimitDecision> {
    const threadKey = thread ? `${thread.channel}:${thread.threadTs}` : null;
    if (threadKey && this.runningThreads.has(threadKey)) {
      return {
        ok: false,
        reason: 'I am already extracting tasks from that thread; the cards will appear there shortly.',
      };
    }
    // Taken before the first await, so concurrent requests in this process see each other.
    if (threadKey) this.runningThreads.add(threadKey);
    const othersRunning = this.runningByUser.get(userId) ?? 0;
    this.runningByUser.set(userId, othersRunning + 1);
    let released = false;
    const reservation: Reservation = {
      release: () => {
        if (released) return;
        released = true;
        if (threadKey) this.runningThreads.delete(threadKey);
        const left = (this.runningByUser.get(userId) ?? 1) - 1;
        if (left > 0) this.runningByUser.set(userId, left);
        else this.runningByUser.delete(userId);
      },
    };
    try {
      const reason =
        (await this.userLimit(userId, othersRunning)) ?? (thread ? await this.threadCooldown(thread) : null);
      if (reason === null) return { ok: true, reservation };
      reservation.release();
      return { ok: false, reason };
    } catch (err) {
      reservation.release();
      throw err;
    }
  }

  private async userLimit(userId: string, othersRunning: number): Promise<string | null> {
    const limit = this.settings.perUserPerHour;
    if (limit <= 0) return null;
    if (othersRunning >= limit) {
      return `You already have ${plural(othersRunning, 'extraction')} running, the most allowed at once. Please try again when ${othersRunning === 1 ? 'it finishes' : 'they finish'}.`;
    }
    const recent = await this.db
      .select({ createdAt: discussions.createdAt })
      .from(discussions)
      .where(and(eq(discussions.requestedBy, userId), gt(discussions.createdAt, since(HOUR_MS))))
      .orderBy(desc(discussions.createdAt))
      .limit(limit);
    if (recent.length + othersRunning < limit) return null;
    // The place that frees up first: the oldest finished extraction still counted.
    const oldestCounted = recent[limit - 1 - othersRunning] ?? recent.at(-1);
    const at = oldestCounted ? new Date(oldestCounted.createdAt.getTime() + HOUR_MS) : undefined;
    return `You have started ${plural(limit, 'extraction')} in the last hour, the most allowed per person. You can extract again ${at ? whenText(at) : 'in an hour'}.`;
  }

  private async threadCooldown(thread: ThreadRef): Promise<string | null> {
    const cooldown = this.settings.threadCooldownMs;
    if (cooldown <= 0) return null;
    const [latest] = await this.db
      .select({ createdAt: discussions.createdAt })
      .from(discussions)
      .where(
        and(
          eq(discussions.channelId, thread.channel),
          eq(discussions.threadTs, thread.threadTs),
          gt(discussions.createdAt, since(cooldown)),
        ),
      )
      .orderBy(desc(discussions.createdAt))
      .limit(1);
    if (!latest) return null;
    const at = new Date(latest.createdAt.getTime() + cooldown);
    return `Tasks were extracted from this thread ${slackDate(latest.createdAt, '{time}')}; their cards are in the thread. To avoid duplicate cards, it can be extracted again ${whenText(at)}.`;
  }
}

/** The database's own clock, so replicas with skewed clocks agree on the window. */
function since(ms: number) {
  return sql<Date>`now() - ${Math.ceil(ms / 1000)} * interval '1 second'`;
}

function whenText(at: Date): string {
  const minutes = Math.max(1, Math.ceil((at.getTime() - Date.now()) / 60_000));
  return `${slackDate(at)} (in about ${plural(minutes, 'minute')})`;
}
