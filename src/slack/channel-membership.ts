import type { WebClient } from '@slack/web-api';
import { z } from 'zod';

const MembersPage = z.object({
  members: z.array(z.string()).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

export interface ChannelMembershipOptions {
  /** How long an answer is reused (a person who just left may still count for this long). */
  ttlMs?: number;
  maxEntries?: number;
  pageSize?: number;
  now?: () => number;
}

/**
 * Whether a person is a member of a conversation, from `conversations.members` (every page, until
 * the person is found). Answers are cached briefly and concurrent questions share one look-up.
 * Errors propagate: callers decide to fail closed.
 */
export class ChannelMembership {
  private readonly cache = new Map<string, { member: boolean; expires: number }>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly pageSize: number;
  private readonly now: () => number;

  constructor(
    private readonly client: WebClient,
    options: ChannelMembershipOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 5000;
    this.pageSize = options.pageSize ?? 200;
    this.now = options.now ?? Date.now;
  }

  async isMember(channel: string, userId: string): Promise<boolean> {
    const key = `${channel}:${userId}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) return hit.member;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.lookUp(channel, userId)
      .then((member) => {
        this.cache.delete(key);
        this.cache.set(key, { member, expires: this.now() + this.ttlMs });
        if (this.cache.size > this.maxEntries) {
          const oldest = this.cache.keys().next().value;
          if (oldest !== undefined) this.cache.delete(oldest);
        }
        return member;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private async lookUp(channel: string, userId: string): Promise<boolean> {
    let cursor: string | undefined;
    do {
      const page = MembersPage.parse(
        await this.client.conversations.members({
          channel,
          limit: this.pageSize,
          ...(cursor ? { cursor } : {}),
        }),
      );
      if (page.members.includes(userId)) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return false;
  }
}
