import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { App, type Logger as BoltLogger, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { Surface } from '../metrics/registry.js';
import type { SlackDeps } from './deps.js';
import { registerActions } from './listeners/actions/index.js';
import { registerCommands } from './listeners/commands/index.js';
import { registerEvents } from './listeners/events/index.js';
import { registerShortcuts } from './listeners/shortcuts/index.js';
import { registerViews } from './listeners/views/index.js';
import { Registrar, type Surfaces } from './registrar.js';
import { close, listen, routeHandler } from './route-server.js';
import { slackErrorCode } from './slack-error.js';

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
  /** The fetch of the Web API client and of response_url replies (one with a deadline). */
  fetch?: typeof fetch;
  /** Told how long each listener took to ack (metrics). */
  onAck?: (surface: Surface, seconds: number) => void;
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
  /** The HTTP server once started (HTTP mode: Slack requests and routes; Socket Mode: the routes). */
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
    ...(options.fetch ? { fetch: options.fetch } : {}),
    retryConfig: { retries: options.retries ?? 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
  };
  const known =
    options.botId && options.botUserId ? { botId: options.botId, botUserId: options.botUserId } : {};

  let receiver: HTTPReceiver | undefined;
  let socketReceiver: SocketModeReceiver | undefined;
  let server: Server | undefined;
  let app: App;
  if (options.appToken) {
    // Bolt's SocketModeReceiver would serve custom routes on port 3000 on every interface (it takes no
    // port or host at start), so in Socket Mode our routes get a server of their own (see start()).
    socketReceiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger,
      installerOptions: { clientOptions },
    });
    app = new App({
      token: options.botToken,
      receiver: socketReceiver,
      logger,
      clientOptions,
      deferInitialization: true,
      ...known,
    });
    server = createServer(routeHandler(customRoutes));
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
  const registrar = new Registrar(app, deps.track, options.onAck);
  registerAll(registrar, deps);

  return {
    app,
    surfaces: registrar.surfaces,
    async start(port, host) {
      const checkUrl = options.apiUrl ? ` and SLACK_API_URL (${options.apiUrl})` : '';
      try {
        await app.init();
      } catch (err) {
        const code = slackErrorCode(err);
        if (code) {
          throw new SlackAuthError(
            `Slack rejected the bot token (${code}): check SLACK_BOT_TOKEN${checkUrl}.`,
          );
        }
        throw err;
      }
      if (receiver) {
        server = await receiver.start({ port, host: host ?? '0.0.0.0' });
      } else if (server) {
        await listen(server, port, host ?? '0.0.0.0');
        try {
          // Resolves once Slack has said hello on the WebSocket (apps.connections.open with the app token first).
          await app.start();
        } catch (err) {
          await close(server);
          const code = slackErrorCode(err);
          if (code) {
            throw new SlackAuthError(
              `Slack refused to open a Socket Mode connection (${code}): check SLACK_APP_TOKEN (an app-level token with connections:write)${checkUrl}.`,
            );
          }
          throw err;
        }
      }
    },
    async stop() {
      if (socketReceiver) {
        // Bolt's receiver.stop() does not wait for the WebSocket close handshake; the client's disconnect() does.
        await socketReceiver.client.disconnect();
        if (server?.listening) await close(server);
      } else {
        await app.stop();
      }
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
