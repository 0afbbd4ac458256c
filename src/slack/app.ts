import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { App, type Logger as BoltLogger, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { SlackDeps } from './deps.js';
import { registerActions } from './listeners/actions/index.js';
import { registerCommands } from './listeners/commands/index.js';
import { registerEvents } from './listeners/events/index.js';
import { registerShortcuts } from './listeners/shortcuts/index.js';
import { registerViews } from './listeners/views/index.js';
import { Registrar, type Surfaces } from './registrar.js';

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  /** Set → Socket Mode; else the HTTP receiver serves POST /slack/events. */
  appToken?: string | undefined;
  apiUrl?: string | undefined;
  /** Known ids skip the per-request auth.test (tests, sandbox). */
  botId?: string;
  botUserId?: string;
  logger: Logger;
  /** GET /healthz answers 200 only once this returns true. */
  isReady: () => boolean;
  /** More routes on the same port (the sandbox page). */
  extraRoutes?: Array<{
    path: string;
    method: string | string[];
    handler: (req: IncomingMessage, res: ServerResponse) => void;
  }>;
  /** Web API retries: Bolt's default spreads ~10 retries over 30 minutes. */
  retries?: number;
}

/** Slack refused our credentials at start-up; the message names what to check. */
export class SlackAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackAuthError';
  }
}

export interface SlackApp {
  app: App;
  surfaces: Surfaces;
  start(port: number, host?: string): Promise<void>;
  stop(): Promise<void>;
  /** The HTTP server once started (HTTP mode). */
  server(): Server | undefined;
}

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackApp(options: SlackAppOptions, depsFor: (app: App) => SlackDeps): SlackApp {
  const healthz = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      const ready = options.isReady();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: ready }));
    },
  };
  const customRoutes = [healthz, ...(options.extraRoutes ?? [])];
  const logger = boltLogger(options.logger);
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: options.retries ?? 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
  };
  const known =
    options.botId && options.botUserId ? { botId: options.botId, botUserId: options.botUserId } : {};

  let receiver: HTTPReceiver | undefined;
  let server: Server | undefined;
  let app: App;
  if (options.appToken) {
    app = new App({
      token: options.botToken,
      appToken: options.appToken,
      socketMode: true,
      customRoutes,
      logger,
      clientOptions,
      deferInitialization: true,
      ...known,
    });
  } else {
    receiver = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: '/slack/events',
      customRoutes,
      logger,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: 2900,
    });
    app = new App({
      token: options.botToken,
      receiver,
      logger,
      clientOptions,
      deferInitialization: true,
      ...known,
    });
  }

  app.error(async (error) => {
    options.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  const deps = depsFor(app);
  const registrar = new Registrar(app, deps.track);
  registerAll(registrar, deps);

  return {
    app,
    surfaces: registrar.surfaces,
    async start(port, host) {
      try {
        await app.init();
      } catch (err) {
        const code = (err as { data?: { error?: unknown } }).data?.error;
        if (typeof code === 'string') {
          throw new SlackAuthError(
            `Slack rejected the bot token (${code}): check SLACK_BOT_TOKEN${options.apiUrl ? ` and SLACK_API_URL (${options.apiUrl})` : ''}.`,
          );
        }
        throw err;
      }
      if (receiver) {
        server = await receiver.start({ port, host: host ?? '0.0.0.0' });
      } else {
        await app.start(port);
      }
    },
    async stop() {
      await app.stop();
    },
    server: () => server,
  };
}

function registerAll(on: Registrar, deps: SlackDeps): void {
  registerCommands(on, deps);
  registerShortcuts(on, deps);
  registerEvents(on, deps);
  registerActions(on, deps);
  registerViews(on, deps);
}

/** What the code listens to, without starting anything (for the manifest test). */
export function registeredSurfaces(): Surfaces {
  const registrar = new Registrar(null);
  registerAll(registrar, {} as SlackDeps);
  return registrar.surfaces;
}
