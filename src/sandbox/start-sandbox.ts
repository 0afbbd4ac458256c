/**
 * The local sandbox: the real bot, in HTTP mode, talking to a local Slack workspace (the stateful Web
 * API stand-in) instead of Slack, with a web page on the bot's own port to use that workspace. Needs
 * no configuration: no Slack app, no API keys, no database server.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Database, openDatabase } from '../../db/index.js';
import { type Orchestrator, type StartOptions, startOrchestrator } from '../bootstrap.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { LiveUpdates } from './live-updates.js';
import { Outbox } from './outbox.js';
import { SandboxApi } from './sandbox-api.js';
import { SlackWebApiStandIn } from './slack-web-api.js';
import { PUBLIC_DIR } from './static-files.js';
import { SANDBOX_APPROVER, SANDBOX_TEAM, seedWorkspace } from './workspace.js';

export interface SandboxOptions {
  /** Passed on to `startOrchestrator` (tests: an opened database, fast retries). */
  start?: StartOptions;
}

export interface Sandbox extends Orchestrator {
  /** The page: http://localhost:PORT/ */
  pageUrl: string;
  standIn: SlackWebApiStandIn;
  api: SandboxApi;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Starts the stand-in, seeds the workspace, then the real bot pointed at it, with the page's routes. */
export async function startSandbox(
  config: Config,
  logger: Logger,
  options: SandboxOptions = {},
): Promise<Sandbox> {
  const log = logger.child({ component: 'sandbox' });
  if (!existsSync(join(PUBLIC_DIR, 'index.html'))) {
    log.warn({ dir: PUBLIC_DIR }, 'the sandbox page files are missing: the page will answer 404');
  }
  const standIn = await SlackWebApiStandIn.start({
    host: '127.0.0.1',
    token: `xoxb-sandbox-${randomBytes(12).toString('hex')}`,
    botUserId: 'U0ORCHESTRATOR',
    botId: 'B0ORCHESTRATOR',
    teamId: SANDBOX_TEAM.id,
    teamDomain: SANDBOX_TEAM.domain,
    maxRecordedCalls: 2000,
  });
  seedWorkspace(standIn);

  const signingSecret = randomBytes(24).toString('hex');
  const approvers = config.approvers.length > 0 ? config.approvers : [SANDBOX_APPROVER.id];
  const host = config.sandbox.host;
  const live = new LiveUpdates();
  const api = new SandboxApi({
    standIn,
    signingSecret,
    approvers,
    outbox: new Outbox(join(resolve(config.dataDir), 'outbox')),
    live,
    logger: log,
    loopbackOnly: LOOPBACK.has(host),
  });

  const sandboxConfig: Config = {
    ...config,
    slack: {
      ...config.slack,
      botToken: standIn.token,
      signingSecret,
      appToken: undefined,
      apiUrl: standIn.url,
    },
    host,
    approvers,
  };

  // The workspace lives in memory, so the database does too (unless DATABASE_URL is set): a restart
  // starts afresh instead of pointing at cards that no longer exist.
  let ownDatabase: Database | undefined;
  const start = options.start ?? {};
  let orchestrator: Orchestrator;
  try {
    if (!start.database && !config.databaseUrl) ownDatabase = await openDatabase({ memory: true });
    orchestrator = await startOrchestrator(sandboxConfig, logger, {
      botId: standIn.botId,
      botUserId: standIn.botUserId,
      ...(ownDatabase ? { database: ownDatabase } : {}),
      ...start,
      extraRoutes: [...api.routes(), ...(start.extraRoutes ?? [])],
    });
  } catch (err) {
    live.close();
    api.close();
    await ownDatabase?.close();
    await standIn.close();
    throw err;
  }
  api.attach({ url: orchestrator.url, db: orchestrator.database.db });

  const shownHost = LOOPBACK.has(host) || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const pageUrl = `http://${shownHost}:${orchestrator.port}/`;
  log.info(
    { url: pageUrl, approver: approvers.join(','), standIn: standIn.url },
    `Sandbox: open ${pageUrl} in your browser (a local Slack workspace; no Slack app needed)`,
  );

  return {
    ...orchestrator,
    pageUrl,
    standIn,
    api,
    async stop() {
      // Server-sent event streams stay open until ended; the HTTP server cannot close before.
      live.close();
      api.close();
      await orchestrator.stop();
      await ownDatabase?.close();
      await standIn.close();
    },
  };
}
