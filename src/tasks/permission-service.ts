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

  async isApprover(userId: string): Promise<boolean> {
    if (this.approversConfigured) return isApprover(userId, this.config.approvers, false);
    return isApprover(userId, [], await (this.roles ?? this.noRoles).isAdminOrOwner(userId));
  }

  /** Throws PermissionDenied, naming who may, unless `userId` is an approver. */
  async requireApprover(userId: string, verb: string): Promise<void> {
    if (await this.isApprover(userId)) return;
    if (!this.approversConfigured)
      throw new PermissionDenied(`Only approvers can ${verb} tasks. ${NOBODY_CONFIGURED}`);
    const shown = this.config.approvers.slice(0, 10).map((u) => `<@${u}>`);
    const more = this.config.approvers.length > shown.length ? ' and others' : '';
    throw new PermissionDenied(`Only approvers can ${verb} tasks. Ask ${shown.join(', ')}${more}.`);
  }

  /** An approver who is not tied to the task (requester, last editor) when preventSelf is on. */
  async requireMayApprove(userId: string, subject: ApprovalSubject): Promise<void> {
    await this.requireApprover(userId, 'approve');
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
