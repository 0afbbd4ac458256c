import type { SlackDeps } from '../../deps.js';
import { MESSAGE_SHORTCUTS } from '../../ids.js';
import type { Registrar } from '../../registrar.js';
import { extractTasksShortcut } from './extract-tasks.js';

export function registerShortcuts(on: Registrar, deps: SlackDeps): void {
  on.messageShortcut(
    MESSAGE_SHORTCUTS[0],
    extractTasksShortcut(deps) as Parameters<Registrar['messageShortcut']>[1],
  );
}
