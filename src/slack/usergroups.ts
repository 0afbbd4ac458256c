import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { UsergroupMembers } from '../tasks/permission-service.js';

const Members = z.object({ users: z.array(z.string()) });

export interface SlackUsergroupsOptions {
  /** How long a group's member list is kept: someone removed from a group loses approval within it. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Members of Slack user groups (`usergroups.users.list`, scope usergroups:read), cached with an
 * expiry. A failed look-up answers no members and is not remembered: approval fails closed.
 */
export class SlackUsergroups implements UsergroupMembers {
  private readonly cache = new Map<string, { users: string[]; expires: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    options: SlackUsergroupsOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  async members(groupId: string): Promise<readonly string[]> {
    const hit = this.cache.get(groupId);
    if (hit && hit.expires > this.now()) return hit.users;
    try {
      const parsed = Members.safeParse(await this.client.usergroups.users.list({ usergroup: groupId }));
      if (!parsed.success) return [];
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(groupId, { users: parsed.data.users, expires: this.now() + this.ttlMs });
      return parsed.data.users;
    } catch (err) {
      this.logger.warn({ err, groupId }, 'could not list user group members; treating the group as empty');
      return [];
    }
  }
}
