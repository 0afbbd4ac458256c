/**
 * The events intake: every normalised event, from either route, goes through `accept`. Inserting
 * its dedupe key is the claim (one statement, so two arrivals at once cannot both win); only the
 * winner calls the subscribers, each once, in the order they subscribed. A subscriber's error is
 * logged and recorded on the event and does not stop the others. `processed_at` is set after the
 * subscribers ran, so an event claimed by a process that died before that is dispatched again by
 * `redispatchStale` (the poll job calls it).
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { githubEvents } from '../../db/schema.js';
import type { Logger } from '../logger.js';
import type { GitHubEvent, GitHubEventKind } from './events.js';

export type GitHubEventHandler = (event: GitHubEvent) => Promise<void>;

export interface Subscription {
  /** The feature that subscribed (logs, errors). */
  name: string;
  /** Only these kinds; absent: all. */
  kinds?: readonly GitHubEventKind[];
  handle: GitHubEventHandler;
}

export interface AcceptResult {
  /** Events that were new and were dispatched. */
  dispatched: number;
  /** Events already seen (by either route). */
  duplicates: number;
}

/** After this long without `processed_at`, an event is taken to be lost in a crash and dispatched again. */
const STALE_MS = 2 * 60_000;

export class GitHubEventIntake {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  subscribe(subscription: Subscription): void {
    this.subscriptions.push(subscription);
  }

  /** Records and dispatches the events that are new; the rest are counted as duplicates. */
  async accept(events: readonly GitHubEvent[]): Promise<AcceptResult> {
    const result: AcceptResult = { dispatched: 0, duplicates: 0 };
    for (const event of events) {
      const claimed = await this.db
        .insert(githubEvents)
        .values({
          dedupeKey: event.key,
          kind: event.kind,
          repo: event.repo,
          number: event.number,
          source: event.source,
          deliveryId: event.deliveryId,
          event: event as unknown as Record<string, unknown>,
        })
        .onConflictDoNothing()
        .returning({ key: githubEvents.dedupeKey });
      if (claimed.length === 0) {
        result.duplicates++;
        this.logger.debug({ key: event.key, source: event.source }, 'GitHub event already handled');
        continue;
      }
      result.dispatched++;
      await this.dispatch(event);
    }
    return result;
  }

  /** Dispatches events claimed long ago and never finished (the claimer died). Returns how many. */
  async redispatchStale(now = new Date()): Promise<number> {
    const stale = await this.db
      .select()
      .from(githubEvents)
      .where(
        and(
          isNull(githubEvents.processedAt),
          lt(githubEvents.receivedAt, new Date(now.getTime() - STALE_MS)),
        ),
      )
      .limit(100);
    for (const row of stale) {
      // Re-claim by bumping received_at, so two replicas do not both take the same stale row.
      const taken = await this.db
        .update(githubEvents)
        .set({ receivedAt: sql`now()` })
        .where(and(eq(githubEvents.dedupeKey, row.dedupeKey), eq(githubEvents.receivedAt, row.receivedAt)))
        .returning({ key: githubEvents.dedupeKey });
      if (taken.length > 0) await this.dispatch(row.event as unknown as GitHubEvent);
    }
    return stale.length;
  }

  private async dispatch(event: GitHubEvent): Promise<void> {
    const errors: string[] = [];
    for (const s of this.subscriptions) {
      if (s.kinds && !s.kinds.includes(event.kind)) continue;
      try {
        await s.handle(event);
      } catch (err) {
        errors.push(`${s.name}: ${err instanceof Error ? err.message : String(err)}`);
        this.logger.error({ err, key: event.key, subscriber: s.name }, 'GitHub event subscriber failed');
      }
    }
    await this.db
      .update(githubEvents)
      .set({ processedAt: sql`now()`, error: errors.length > 0 ? errors.join('; ').slice(0, 2000) : null })
      .where(eq(githubEvents.dedupeKey, event.key));
  }
}
