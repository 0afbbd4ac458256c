/**
 * The second bot process of the two-process benchmark: the same composition root as
 * src/main.ts (startOrchestrator, configured from its environment), plus what main.ts cannot
 * offer a benchmark: GitHub throttling off (as in the in-process bot) and a count of the
 * statements it sends to PostgreSQL, reported to the parent over IPC (bench/worker-protocol.ts).
 */
import { openDatabase } from '../db/index.js';
import { startOrchestrator } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { statementKind } from './stats.js';
import { ParentMessage, type WorkerMessage } from './worker-protocol.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl) throw new Error('the benchmark worker needs DATABASE_URL (PostgreSQL)');
  let queries = 0;
  let kinds: Record<string, number> = {};
  let cpuMark = process.cpuUsage();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrate: false,
    onQuery: (statement) => {
      queries++;
      const kind = statementKind(statement);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    },
  });
  const app = await startOrchestrator(config, createLogger({ level: config.logLevel }), {
    database,
    botId: process.env.BENCH_BOT_ID ?? 'BBOT',
    botUserId: process.env.BENCH_BOT_USER_ID ?? 'UBOT',
    githubThrottle: false,
    slackRetries: 0,
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= app
      .stop()
      .then(() => database.close())
      .catch(() => {});
    return stopping;
  };
  process.on('message', (raw) => {
    const message = ParentMessage.safeParse(raw);
    if (!message.success) return;
    const { type } = message.data;
    if (type === 'reset') {
      queries = 0;
      kinds = {};
      cpuMark = process.cpuUsage();
    }
    if (type === 'reset' || type === 'stats') {
      const cpu = process.cpuUsage(cpuMark);
      send({
        type: 'stats',
        queries,
        kinds,
        claims: app.runner.stats().claims,
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
      return;
    }
    void stop().then(() => {
      send({ type: 'stopped' });
      process.exit(0);
    });
  });
  // The parent going away must not leave this process behind.
  process.on('disconnect', () => {
    void stop().then(() => process.exit(0));
  });
  send({ type: 'ready', url: app.url });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
