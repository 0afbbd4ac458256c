import type { App } from '@slack/bolt';

type CommandHandler = Parameters<App['command']>[1];
type ShortcutHandler = Parameters<App['shortcut']>[1];
type EventHandler = Parameters<App['event']>[1];
type ActionHandler = Parameters<App['action']>[1];
type ViewHandler = Parameters<App['view']>[1];

export interface Surfaces {
  commands: string[];
  shortcuts: string[];
  events: string[];
  actions: string[];
  views: string[];
}

/**
 * Registers listeners on a Bolt app (or on nothing) and records what was registered, so the
 * manifest test can compare what the code really listens to with manifest.yml.
 */
export class Registrar {
  readonly surfaces: Surfaces = { commands: [], shortcuts: [], events: [], actions: [], views: [] };

  constructor(private readonly app: App | null) {}

  command(name: string, handler: CommandHandler): void {
    this.surfaces.commands.push(name);
    this.app?.command(name, handler);
  }

  messageShortcut(callbackId: string, handler: ShortcutHandler): void {
    this.surfaces.shortcuts.push(callbackId);
    this.app?.shortcut({ callback_id: callbackId, type: 'message_action' }, handler);
  }

  event(name: 'app_mention' | 'app_home_opened', handler: EventHandler): void {
    this.surfaces.events.push(name);
    this.app?.event(name, handler as Parameters<App['event']>[1]);
  }

  action(actionId: string, handler: ActionHandler): void {
    this.surfaces.actions.push(actionId);
    this.app?.action(actionId, handler);
  }

  view(callbackId: string, handler: ViewHandler): void {
    this.surfaces.views.push(callbackId);
    this.app?.view(callbackId, handler);
  }
}
