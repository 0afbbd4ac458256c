import { PermissionService } from '../../src/tasks/permission-service.js';
import type { TaskStore } from '../../src/tasks/task-store.js';

/**
 * Permissions for store-level tests: `approvers` as SLACK_APPROVERS, `admins` as the workspace
 * admins Slack would report, and APPROVAL_PREVENT_SELF off unless asked for.
 */
export function testPermissions(
  approvers: readonly string[],
  options: { admins?: readonly string[]; preventSelf?: boolean } = {},
): PermissionService {
  const admins = new Set(options.admins ?? []);
  return new PermissionService(
    { approvers, preventSelf: options.preventSelf ?? false },
    { isAdminOrOwner: async (userId) => admins.has(userId) },
  );
}

/** The task's current version: what a freshly drawn card's buttons would carry. */
export async function versionOf(store: TaskStore, taskId: string): Promise<number> {
  return (await store.requireTask(taskId)).version;
}
