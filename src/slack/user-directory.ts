import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { slackErrorCode } from './slack-error.js';

const UserInfo = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});

const MENTION = /<@([UW][A-Z0-9]+)(\|[^>]*)?>/g;

export interface UserDirectoryOptions {
  /** How long a resolved name is kept (names change rarely; a stale one is harmless). */
  ttlMs?: number;
  /** How long an unknown id (`user_not_found`) is remembered as unknown. */
  missTtlMs?: number;
  /** Entries kept at most; the least recently used go first. */
  maxEntries?: number;
  /** `users.info` calls in flight at once, for the whole process. */
  concurrency?: number;
  /** Per `namesFor` call: ids mentioned in the texts, beyond the known people, that are looked up. */
  maxMentionLookups?: number;
  now?: () => number;
}

/**
 * Display names by user id. Text from a thread can mention any number of made-up ids, so every
 * look-up is bounded: per call (known people plus a few mentions), in concurrency (a small pool
 * shared by the process), and in time (two callers asking for one id share one call; unknown ids
 * are remembered too, for a while).
 */
export class UserDirectory {
  private readonly cache = new Map<string, { name: string; expires: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  private readonly ttlMs: number;
  private readonly missTtlMs: number;
  private readonly maxEntries: number;
  private readonly concurrency: number;
  private readonly maxMentionLookups: number;
  private readonly now: () => number;

  constructor(
    private readonly client: WebClient,
    options: UserDirectoryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.missTtlMs = options.missTtlMs ?? 10 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 5000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxMentionLookups = options.maxMentionLookups ?? 20;
    this.now = options.now ?? Date.now;
  }

  /** The display name of `userId`; the id itself when Slack does not know it or cannot answer. */
  async name(userId: string): Promise<string> {
    const hit = this.cache.get(userId);
    if (hit && hit.expires > this.now()) {
      // Refresh its place in the LRU order.
      this.cache.delete(userId);
      this.cache.set(userId, hit);
      return hit.name;
    }
    const pending = this.inFlight.get(userId);
    if (pending) return pending;
    const lookup = this.lookUp(userId).finally(() => this.inFlight.delete(userId));
    this.inFlight.set(userId, lookup);
    return lookup;
  }

  /**
   * Names for `ids` (people known to be real: authors, assignees) and for at most
   * `maxMentionLookups` other ids mentioned as `<@U…>` in the texts, in order of appearance.
   * Mentions beyond that are left out of the result unless already cached, so callers show them
   * as they would any unknown id.
   */
  async namesFor(texts: string[], ids: Iterable<string> = []): Promise<Record<string, string>> {
    const wanted = new Set(ids);
    let extra = 0;
    for (const text of texts) {
      for (const m of text.matchAll(MENTION)) {
        const id = m[1]!;
        if (wanted.has(id)) continue;
        if (extra < this.maxMentionLookups || this.cached(id)) {
          if (!this.cached(id)) extra += 1;
          wanted.add(id);
        }
      }
    }
    const names: Record<string, string> = {};
    await Promise.all([...wanted].map(async (id) => (names[id] = await this.name(id))));
    return names;
  }

  private cached(id: string): boolean {
    const hit = this.cache.get(id);
    return hit !== undefined && hit.expires > this.now();
  }

  private async lookUp(userId: string): Promise<string> {
    await this.slot();
    try {
      const parsed = UserInfo.safeParse(await this.client.users.info({ user: userId }));
      if (!parsed.success) {
        this.remember(userId, userId, this.missTtlMs);
        return userId;
      }
      const u = parsed.data.user;
      const name = u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || userId;
      this.remember(userId, name, this.ttlMs);
      return name;
    } catch (err) {
      // Unknown or deleted users keep their id as name; extraction still works. Other failures
      // (rate limits, outages) are not remembered, so the next extraction asks again.
      if (slackErrorCode(err) === 'user_not_found') this.remember(userId, userId, this.missTtlMs);
      return userId;
    } finally {
      this.release();
    }
  }

  private remember(userId: string, name: string, ttl: number): void {
    this.cache.delete(userId);
    this.cache.set(userId, { name, expires: this.now() + ttl });
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  private async slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
