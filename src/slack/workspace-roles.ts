import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { WorkspaceRoles } from '../tasks/permission-service.js';

const UserRoles = z.object({
  user: z.object({
    id: z.string(),
    is_admin: z.boolean().optional(),
    is_owner: z.boolean().optional(),
    is_primary_owner: z.boolean().optional(),
    deleted: z.boolean().optional(),
  }),
});

export interface SlackWorkspaceRolesOptions {
  /** How long an answer is kept: a demoted admin loses approval rights within this time. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Admins and owners from `users.info`, cached with an expiry. A failed look-up answers false and
 * is not remembered: approval fails closed, and the next click asks Slack again.
 */
export class SlackWorkspaceRoles implements WorkspaceRoles {
  private readonly cache = new Map<string, { admin: boolean; expires: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    options: SlackWorkspaceRolesOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  async isAdminOrOwner(userId: string): Promise<boolean> {
    const hit = this.cache.get(userId);
    if (hit && hit.expires > this.now()) return hit.admin;
    try {
      const parsed = UserRoles.safeParse(await this.client.users.info({ user: userId }));
      if (!parsed.success) return false;
      const u = parsed.data.user;
      const admin = !u.deleted && Boolean(u.is_admin || u.is_owner || u.is_primary_owner);
      if (this.cache.size > 5000) this.cache.clear();
      this.cache.set(userId, { admin, expires: this.now() + this.ttlMs });
      return admin;
    } catch (err) {
      this.logger.warn({ err, userId }, 'could not look up workspace role; treating as not an admin');
      return false;
    }
  }
}
