import type { App } from '@slack/bolt';
import type { Surface } from '../metrics/registry.js';

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
    /** Told how long each listener took to ack, in seconds (metrics). */
    private readonly onAck: (surface: Surface, seconds: number) => void = () => {},
  ) {}

  private tracked<H>(handler: H, surface: Surface): H {
    const track = this.track;
    const onAck = this.onAck;
    return ((...args: unknown[]) => {
      const first = args[0];
      if (typeof first === 'object' && first !== null && 'ack' in first && typeof first.ack === 'function') {
        const started = performance.now();
        const ack = first.ack as (...a: unknown[]) => Promise<unknown>;
        args[0] = Object.assign(first, {
          ack: (...a: unknown[]) => {
            onAck(surface, (performance.now() - started) / 1000);
            return ack(...a);
          },
        });
      }
      const work = (handler as (...a: unknown[]) => Promise<unknown>)(...args);
      track(work);
      return work;
    }) as H;
  }

  command(name: string, handler: CommandHandler): void {
    this.surfaces.commands.push(name);
    this.app?.command(name, this.tracked(handler, 'command'));
  }

  messageShortcut(callbackId: string, handler: ShortcutHandler): void {
    this.surfaces.shortcuts.push(callbackId);
    this.app?.shortcut(
      { callback_id: callbackId, type: 'message_action' },
      this.tracked(handler, 'shortcut'),
    );
  }

  event(name: 'app_mention' | 'app_home_opened', handler: EventHandler): void {
    this.surfaces.events.push(name);
    this.app?.event(name, this.tracked(handler, 'event'));
  }

  action(actionId: string, handler: ActionHandler): void {
    this.surfaces.actions.push(actionId);
    this.app?.action(actionId, this.tracked(handler, 'action'));
  }

  view(callbackId: string, handler: ViewHandler): void {
    this.surfaces.views.push(callbackId);
    this.app?.view(callbackId, this.tracked(handler, 'view'));
  }
}
