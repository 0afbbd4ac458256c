import type { SlackDeps } from '../../deps.js';
import { taskAction } from './task-action.js';

export const rejectTask = (deps: SlackDeps) =>
  taskAction(deps, async ({ taskId, userId, expectedVersion }) => {
    await deps.store.rejectTask(taskId, userId, expectedVersion());
  });
