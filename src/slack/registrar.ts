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

  /**
   * `track` sees every listener's promise from its start, so "all work done" can be awaited
   * (tests, graceful shutdown) even though Slack's HTTP response goes out at ack time.
   */
  constructor(
    private readonly app: App | null,
    private readonly track: (work: Promise<unknown>) => void = () => {},
  ) {}

  private tracked<H>(handler: H): H {
    const track = this.track;
    return ((...args: unknown[]) => {
      const work = (handler as (...a: unknown[]) => Promise<unknown>)(...args);
      track(work);
      return work;
    }) as H;
  }

  command(name: string, handler: CommandHandler): void {
    this.surfaces.commands.push(name);
    this.app?.command(name, this.tracked(handler));
  }

  messageShortcut(callbackId: string, handler: ShortcutHandler): void {
    this.surfaces.shortcuts.push(callbackId);
    this.app?.shortcut({ callback_id: callbackId, type: 'message_action' }, this.tracked(handler));
  }

  event(name: 'app_mention' | 'app_home_opened', handler: EventHandler): void {
    this.surfaces.events.push(name);
    this.app?.event(name, this.tracked(handler));
  }

  action(actionId: string, handler: ActionHandler): void {
    this.surfaces.actions.push(actionId);
    this.app?.action(actionId, this.tracked(handler));
  }

  view(callbackId: string, handler: ViewHandler): void {
    this.surfaces.views.push(callbackId);
    this.app?.view(callbackId, this.tracked(handler));
  }
}
