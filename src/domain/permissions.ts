/**
 * Who may do what. Fail closed: with no approvers configured, only workspace admins and owners
 * approve (the caller says whether `userId` is one). With `preventSelf`, nobody approves a task
 * they asked for or changed last: a second pair of eyes sees every approved version.
 */
export function isApprover(userId: string, approvers: readonly string[], isWorkspaceAdmin: boolean): boolean {
  return approvers.length > 0 ? approvers.includes(userId) : isWorkspaceAdmin;
}

export interface ApprovalSubject {
  /** Who asked for the extraction the task came from. */
  requestedBy: string;
  /** Who saved the last edit of the task, if anyone did. */
  lastEditedBy: string | null;
}

/** Why `userId` may not approve a task they are tied to, or undefined when they may. */
export function selfApprovalConflict(
  userId: string,
  subject: ApprovalSubject,
  preventSelf: boolean,
): 'requester' | 'last-editor' | undefined {
  if (!preventSelf) return undefined;
  if (subject.lastEditedBy === userId) return 'last-editor';
  if (subject.requestedBy === userId) return 'requester';
  return undefined;
}

export type TaskAction = 'edit' | 'approve' | 'reject' | 'execute' | 'retry' | 'cancel';
