import type { SlackDeps } from '../../deps.js';
import { VIEWS } from '../../ids.js';
import type { Registrar } from '../../registrar.js';
import { editTaskSubmission } from './edit-task-submission.js';
import { projectSettingsSubmission } from './project-settings-submission.js';

export function registerViews(on: Registrar, deps: SlackDeps): void {
  on.view(VIEWS.editTask, editTaskSubmission(deps) as Parameters<Registrar['view']>[1]);
  on.view(VIEWS.projectSettings, projectSettingsSubmission(deps) as Parameters<Registrar['view']>[1]);
}
