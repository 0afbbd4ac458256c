import { type ApprovalSubject, isApprover, selfApprovalConflict } from '../domain/permissions.js';

/** Whether a person is a workspace admin or owner (Slack `users.info`); false when unknown. */
export interface WorkspaceRoles {
  isAdminOrOwner(userId: string): Promise<boolean>;
}

export interface PermissionConfig {
  /** SLACK_APPROVERS; empty → only workspace admins and owners approve. */
  approvers: readonly string[];
  /** APPROVAL_PREVENT_SELF: the requester or last editor of a task may not approve it. */
  preventSelf: boolean;
  /** SLACK_ADMINS: who may change project settings besides workspace admins and owners. */
  admins?: readonly string[];
}

/** Approvers a channel's project names; null when the channel follows the environment. */
export interface ApproverScope {
  users: readonly string[];
  usergroups: readonly string[];
}

/** The project side of approval: who a channel's project names, and who is in a Slack user group. */
export interface ChannelApprovers {
  forChannel(channelId: string): Promise<ApproverScope | null>;
}

export interface UsergroupMembers {
  members(groupId: string): Promise<readonly string[]>;
}

/** A refused permission; `message` is written for the person who clicked. */
export class PermissionDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermissionDenied';
  }
}

const NOBODY_CONFIGURED =
  'No approvers are configured, so only workspace admins and owners may approve. To name approvers, set SLACK_APPROVERS to a comma-separated list of Slack user IDs (README, "Approvers").';

/** The server-side gate of every approval and run; the Slack layer and the store both ask it. */
export class PermissionService {
  private readonly noRoles: WorkspaceRoles = { isAdminOrOwner: async () => false };

  constructor(
    private readonly config: PermissionConfig,
    private readonly roles: WorkspaceRoles | undefined = undefined,
    private readonly projects:
      | { channels: ChannelApprovers; groups: UsergroupMembers }
      | undefined = undefined,
  ) {}

  get approversConfigured(): boolean {
    return this.config.approvers.length > 0;
  }

  get preventSelf(): boolean {
    return this.config.preventSelf;
  }

  get approvers(): readonly string[] {
    return this.config.approvers;
  }

  /**
   * With `channelId`, the approvers of the channel's project (users, and members of user groups)
   * when it names any; otherwise, and without a channel, the environment's rule.
   */
  async isApprover(userId: string, channelId?: string): Promise<boolean> {
    const scope = await this.scopeFor(channelId);
    if (scope) {
      if (scope.users.includes(userId)) return true;
      for (const group of scope.usergroups) {
        if ((await this.projects?.groups.members(group))?.includes(userId)) return true;
      }
      return false;
    }
    if (this.approversConfigured) return isApprover(userId, this.config.approvers, false);
    return isApprover(userId, [], await (this.roles ?? this.noRoles).isAdminOrOwner(userId));
  }

  private async scopeFor(channelId: string | undefined): Promise<ApproverScope | null> {
    if (!channelId || !this.projects) return null;
    const scope = await this.projects.channels.forChannel(channelId);
    return scope && (scope.users.length > 0 || scope.usergroups.length > 0) ? scope : null;
  }

  /** Throws PermissionDenied, naming who may, unless `userId` is an approver (of `channelId`'s project). */
  async requireApprover(userId: string, verb: string, channelId?: string): Promise<void> {
    if (await this.isApprover(userId, channelId)) return;
    const scope = await this.scopeFor(channelId);
    if (scope) {
      const named = [
        ...scope.users.slice(0, 10).map((u) => `<@${u}>`),
        ...scope.usergroups.slice(0, 5).map((g) => `<!subteam^${g}>`),
      ];
      throw new PermissionDenied(`Only this channel's approvers can ${verb} tasks. Ask ${named.join(', ')}.`);
    }
    if (!this.approversConfigured)
      throw new PermissionDenied(`Only approvers can ${verb} tasks. ${NOBODY_CONFIGURED}`);
    const shown = this.config.approvers.slice(0, 10).map((u) => `<@${u}>`);
    const more = this.config.approvers.length > shown.length ? ' and others' : '';
    throw new PermissionDenied(`Only approvers can ${verb} tasks. Ask ${shown.join(', ')}${more}.`);
  }

  /** Workspace admins and owners (users.info), and SLACK_ADMINS, may change project settings. */
  async mayChangeSettings(userId: string): Promise<boolean> {
    if (this.config.admins?.includes(userId)) return true;
    return (this.roles ?? this.noRoles).isAdminOrOwner(userId);
  }

  /** An approver who is not tied to the task (requester, last editor) when preventSelf is on. */
  async requireMayApprove(userId: string, subject: ApprovalSubject, channelId?: string): Promise<void> {
    await this.requireApprover(userId, 'approve', channelId);
    this.requireNotSelf(userId, subject);
  }

  /** The pure half of requireMayApprove (no Slack call), for use inside a transaction. */
  requireNotSelf(userId: string, subject: ApprovalSubject): void {
    const conflict = selfApprovalConflict(userId, subject, this.config.preventSelf);
    if (conflict === 'requester') {
      throw new PermissionDenied(
        'You asked for this task, so another approver must approve it (APPROVAL_PREVENT_SELF is on).',
      );
    }
    if (conflict === 'last-editor') {
      throw new PermissionDenied(
        'You made the last change to this task, so another approver must approve it (APPROVAL_PREVENT_SELF is on).',
      );
    }
  }
}
