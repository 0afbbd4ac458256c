/** Who may do what. An empty approver list means every member may approve and execute. */
export function isApprover(userId: string, approvers: readonly string[]): boolean {
  return approvers.length === 0 || approvers.includes(userId);
}

export type TaskAction = 'edit' | 'approve' | 'reject' | 'execute' | 'retry' | 'cancel';

/** Edit is open to everyone in the channel (it sends an approved task back for approval). */
export function mayPerform(action: TaskAction, userId: string, approvers: readonly string[]): boolean {
  if (action === 'edit') return true;
  return isApprover(userId, approvers);
}
