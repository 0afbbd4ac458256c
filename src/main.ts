import { DatabaseUnreachableError, DataDirLockedError, ReplicasNeedPostgresError } from '../db/index.js';
import { MissingSlackConfigError, type Orchestrator, startOrchestrator } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { installProcessGuards } from './process-guards.js';
import { startSandbox } from './sandbox/start-sandbox.js';
import { reportModelStatus } from './services/anthropic-models.js';
import { SlackAuthError } from './slack/app.js';
import { decideStartMode } from './start-mode.js';
import { armFaultPoints } from './testing/fault-points.js';

/** A shutdown that does not finish (a hung step, a stuck connection) must still end the process. */
const FORCED_EXIT_MS = 30_000;

/**
 * Entry point: start, and stop cleanly on SIGINT/SIGTERM, or after an error nobody handled.
 * Start-up problems are one clear line.
 */
async function main(): Promise<void> {
  // Test-only crash points: read once, here; refused outright in production.
  try {
    armFaultPoints(process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // Fail closed: a partial Slack configuration, or the sandbox next to production settings, is one line and exit 1.
  const mode = decideStartMode(process.env);
  if (mode.mode === 'refuse') {
    process.stderr.write(`${mode.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel });

  let orchestrator: Orchestrator | undefined;
  let stopping = false;
  const shutdown = (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      logger.error({ reason, afterMs: FORCED_EXIT_MS }, 'shutdown did not finish in time; exiting');
      process.exit(exitCode || 1);
    }, FORCED_EXIT_MS).unref();
    (orchestrator ? orchestrator.stop() : Promise.resolve())
      .then(() => process.exit(exitCode))
      .catch((err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  installProcessGuards({ logger, shutdown });
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));

  if (config.anthropic.apiKey) reportModelStatus(config.anthropic.model, logger);
  try {
    // No Slack credentials (or SANDBOX=1): the same bot against a local workspace in the browser.
    orchestrator =
      mode.mode === 'sandbox' ? await startSandbox(config, logger) : await startOrchestrator(config, logger);
    logger.info(
      {
        port: orchestrator.port,
        mode: config.slack.appToken ? 'socket' : 'http',
        database: orchestrator.database.kind,
        github: config.github.token ? 'live' : 'dry run',
        githubWebhooks: config.github.webhookSecret ? 'on' : 'off (GITHUB_WEBHOOK_SECRET unset)',
        githubPoll: config.github.token && config.github.pollCron ? config.github.pollCron : 'off',
        email: config.smtp.host ? 'smtp' : 'outbox',
        extractor: config.anthropic.apiKey ? config.anthropic.model : 'rules',
      },
      `AI Orchestrator is running${config.slack.appToken ? ' (Socket Mode)' : ` on http://localhost:${orchestrator.port}/slack/events`}`,
    );
  } catch (err) {
    if (
      err instanceof MissingSlackConfigError ||
      err instanceof DataDirLockedError ||
      err instanceof ReplicasNeedPostgresError ||
      err instanceof DatabaseUnreachableError ||
      err instanceof SlackAuthError
    ) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    logger.fatal({ err }, 'start-up failed');
    process.stderr.write(`Start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
