import type { SlackDeps } from '../../deps.js';
import type { Registrar } from '../../registrar.js';
import { extractCommand } from './extract.js';
import { orchestratorCommand } from './orchestrator.js';

export function registerCommands(on: Registrar, deps: SlackDeps): void {
  on.command('/extract', extractCommand(deps));
  on.command('/orchestrator', orchestratorCommand(deps));
}
