import type { SlackDeps } from '../../deps.js';
import type { Registrar } from '../../registrar.js';
import { extractCommand } from './extract.js';

export function registerCommands(on: Registrar, deps: SlackDeps): void {
  on.command('/extract', extractCommand(deps));
}
