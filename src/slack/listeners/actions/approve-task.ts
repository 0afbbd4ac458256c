import type { SlackDeps } from '../../deps.js';
import { taskAction } from './task-action.js';

export const approveTask = (deps: SlackDeps) =>
  taskAction(deps, async ({ taskId, userId, expectedVersion }) => {
    await deps.store.approveTask(taskId, userId, expectedVersion());
  });
