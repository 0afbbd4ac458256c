import type { SlackDeps } from '../../deps.js';
import { ACTIONS } from '../../ids.js';
import type { Registrar } from '../../registrar.js';
import { approveTask } from './approve-task.js';
import { cancelTask } from './cancel-task.js';
import { editTask } from './edit-task.js';
import { executeTask } from './execute-task.js';
import { homeRefresh } from './home-refresh.js';
import { projectConfigure } from './project-configure.js';
import { rejectTask } from './reject-task.js';
import { retryTask } from './retry-task.js';

type Handler = Parameters<Registrar['action']>[1];

export function registerActions(on: Registrar, deps: SlackDeps): void {
  on.action(ACTIONS.edit, editTask(deps) as Handler);
  on.action(ACTIONS.approve, approveTask(deps) as Handler);
  on.action(ACTIONS.reject, rejectTask(deps) as Handler);
  on.action(ACTIONS.execute, executeTask(deps) as Handler);
  on.action(ACTIONS.retry, retryTask(deps) as Handler);
  on.action(ACTIONS.cancel, cancelTask(deps) as Handler);
  on.action(ACTIONS.homeRefresh, homeRefresh(deps) as Handler);
  on.action(ACTIONS.projectConfigure, projectConfigure(deps) as Handler);
  // Link buttons still send an action; ack it so Slack shows no error.
  on.action(ACTIONS.openLink, (async ({ ack }: { ack: () => Promise<void> }) => ack()) as Handler);
}
