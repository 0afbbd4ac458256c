import { TaskActionError } from '../../../tasks/task-store.js';
import type { SlackDeps } from '../../deps.js';
import { taskAction } from './task-action.js';

export const cancelTask = (deps: SlackDeps) =>
  taskAction(deps, async ({ taskId, userId, notify }) => {
    const task = await deps.store.requireTask(taskId);
    if (!(await deps.permissions.isApprover(userId, task.channelId))) {
      throw new TaskActionError('Only approvers can cancel a run.', 'forbidden');
    }
    const cancelled = await deps.runs.cancel(taskId, userId);
    if (!cancelled) await notify('There is no running run to cancel for this task.');
  });
