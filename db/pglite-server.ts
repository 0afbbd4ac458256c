import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * PGlite runs its WebAssembly engine on the thread that calls it: in-process, every statement
 * blocks the event loop that answers Slack (acks waited behind database work, issue 13). Here it
 * runs in a worker thread that serves the PostgreSQL wire protocol (`@electric-sql/pglite-socket`)
 * on a Unix socket in a private (0700) temporary folder; the bot connects with the same
 * `postgres` driver as on PostgreSQL, so both databases share one code path.
 *
 * The worker's code is evaluated from a string and loads the packages by their resolved paths:
 * it then runs the same way from `src` (tsx, vitest) and from `dist`, with no separate file to build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const { PGLiteSocketServer } = require(workerData.socketPath);
let db;
let server;
async function start() {
  db = new PGlite(workerData.dataDir);
  await db.waitReady;
  // One connection: PGlite is one backend session, and interleaving two clients' extended-protocol
  // messages outside a transaction would mix their unnamed statements.
  server = new PGLiteSocketServer({ db, path: workerData.listenPath, maxConnections: 1 });
  await server.start();
  parentPort.postMessage({ type: 'ready' });
}
parentPort.on('message', async (message) => {
  if (message && message.type === 'stop') {
    try {
      if (server) await server.stop();
      if (db) await db.close();
      parentPort.postMessage({ type: 'stopped' });
    } catch (err) {
      parentPort.postMessage({ type: 'stopped', error: String((err && err.stack) || err) });
    }
  }
});
start().catch((err) => parentPort.postMessage({ type: 'error', error: String((err && err.stack) || err) }));
`;

export interface PgliteServer {
  /** Path of the Unix socket (postgres.js `path`). */
  socketPath: string;
  /** The worker thread's id (never the main thread's 0). */
  threadId: number;
  /** Stops the server, closes PGlite (flushes the data folder) and ends the worker. */
  stop(): Promise<void>;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'stopped'; error?: string }
  | { type: 'error'; error: string };

function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';
}

/** Starts PGlite on `dataDir` in a worker thread; resolves once it accepts connections. */
export async function startPgliteServer(dataDir: string): Promise<PgliteServer> {
  const require = createRequire(import.meta.url);
  const socketDir = mkdtempSync(join(tmpdir(), 'orch-pglite-'));
  // postgres.js connects to this exact path; the folder is private to this user (mkdtemp: 0700).
  const listenPath = join(socketDir, '.s.PGSQL.5432');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      dataDir,
      listenPath,
      pglitePath: require.resolve('@electric-sql/pglite'),
      socketPath: require.resolve('@electric-sql/pglite-socket'),
    },
  });
  const cleanup = () => rmSync(socketDir, { recursive: true, force: true });

  const next = (want: 'ready' | 'stopped') =>
    new Promise<void>((resolveMessage, reject) => {
      const onMessage = (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'error' || (message.type === 'stopped' && message.error)) {
          off();
          reject(new Error(`PGlite worker failed: ${message.error}`));
        } else if (message.type === want) {
          off();
          resolveMessage();
        }
      };
      const onError = (err: Error) => {
        off();
        reject(err);
      };
      const onExit = (code: number) => {
        off();
        reject(new Error(`PGlite worker exited (code ${code}) before it was ${want}`));
      };
      const off = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });

  try {
    await next('ready');
  } catch (err) {
    await worker.terminate().catch(() => {});
    cleanup();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    socketPath: listenPath,
    threadId: worker.threadId,
    stop() {
      stopping ??= (async () => {
        try {
          const stopped = next('stopped');
          worker.postMessage({ type: 'stop' });
          await stopped;
        } finally {
          await worker.terminate().catch(() => {});
          cleanup();
        }
      })();
      return stopping;
    },
  };
}
