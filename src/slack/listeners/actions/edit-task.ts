import { statusAfterEdit, type TaskStatus } from '../../../domain/task.js';
import { TaskActionError } from '../../../tasks/task-store.js';
import { buildEditModal } from '../../blocks/edit-modal.js';
import { toTaskCardModel } from '../../card-model.js';
import type { SlackDeps } from '../../deps.js';
import { taskAction } from './task-action.js';

/** Opens the edit modal pre-filled; trigger_id expires in 3 s, so this runs right after ack. */
export const editTask = (deps: SlackDeps) =>
  taskAction(deps, async ({ taskId, userId, triggerId, channelId }) => {
    const task = await deps.store.requireTask(taskId);
    if (!statusAfterEdit(task.status as TaskStatus)) {
      throw new TaskActionError(`This task is ${task.status} and can no longer be edited.`, 'invalid_state');
    }
    // Refused before the modal opens, so nobody types an edit that could never be saved.
    await deps.store.requireMayEdit(task, userId);
    if (!triggerId)
      throw new TaskActionError('Slack did not send what is needed to open a dialog; try again.', 'stale');
    const view = buildEditModal({
      task: toTaskCardModel(task, undefined, undefined),
      // Only the repositories of the task's channel (its project's, else the environment's).
      repos: (await deps.settings.forChannel(task.channelId)).repos,
      channelId: channelId ?? null,
    });
    await deps.client.views.open({ trigger_id: triggerId, view });
  });
