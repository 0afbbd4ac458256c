import type { SlackDeps } from '../../deps.js';
import type { Registrar } from '../../registrar.js';
import { appHomeOpened } from './app-home-opened.js';
import { appMention } from './app-mention.js';

export function registerEvents(on: Registrar, deps: SlackDeps): void {
  on.event('app_mention', appMention(deps) as Parameters<Registrar['event']>[1]);
  on.event('app_home_opened', appHomeOpened(deps) as Parameters<Registrar['event']>[1]);
}
