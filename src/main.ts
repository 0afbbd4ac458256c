import { DataDirLockedError } from '../db/index.js';
import { MissingSlackConfigError, startOrchestrator } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startSandbox } from './sandbox/start-sandbox.js';
import { SlackAuthError } from './slack/app.js';

/** Entry point: start, and stop cleanly on SIGINT/SIGTERM. Start-up problems are one clear line. */
async function main(): Promise<void> {
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
  const logger = createLogger({ level: config.logLevel });
  try {
    // No Slack credentials (or SANDBOX=1): the same bot against a local workspace in the browser.
    const orchestrator = config.sandbox.enabled
      ? await startSandbox(config, logger)
      : await startOrchestrator(config, logger);
    logger.info(
      {
        port: orchestrator.port,
        mode: config.slack.appToken ? 'socket' : 'http',
        database: orchestrator.database.kind,
        github: config.github.token ? 'live' : 'dry run',
        email: config.smtp.host ? 'smtp' : 'outbox',
        extractor: config.anthropic.apiKey ? config.anthropic.model : 'rules',
      },
      `AI Orchestrator is running${config.slack.appToken ? ' (Socket Mode)' : ` on http://localhost:${orchestrator.port}/slack/events`}`,
    );
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      orchestrator
        .stop()
        .then(() => process.exit(0))
        .catch((err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          process.exit(1);
        });
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  } catch (err) {
    if (
      err instanceof MissingSlackConfigError ||
      err instanceof DataDirLockedError ||
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

void main();
