import type { SlackDeps } from '../../deps.js';
import { taskAction } from './task-action.js';

/** Starts a run (or finds the one a concurrent click started) and hands it to the runner. */
export const executeTask = (deps: SlackDeps) =>
  taskAction(deps, async ({ taskId, userId, notify, expectedVersion }) => {
    const { run, created } = await deps.store.startRun(taskId, userId, expectedVersion());
    deps.runs.enqueue(run.id);
    if (!created) await notify('This task is already running; the card shows its progress.');
  });
