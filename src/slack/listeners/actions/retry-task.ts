import type { SlackDeps } from '../../deps.js';
import { taskAction } from './task-action.js';

/** Re-queues a failed run: its succeeded steps are kept, only the failed ones run again. */
export const retryTask = (deps: SlackDeps) =>
  taskAction(deps, async ({ taskId, userId, notify, expectedVersion }) => {
    const { run, created } = await deps.store.retryRun(taskId, userId, expectedVersion());
    deps.runs.enqueue(run.id);
    if (!created) await notify('This task is already running; the card shows its progress.');
  });
