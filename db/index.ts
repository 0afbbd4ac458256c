import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockDataDir, ReplicasNeedPostgresError } from './data-dir-lock.js';
import { type PgliteServer, startPgliteServer } from './pglite-server.js';
import * as schema from './schema.js';

export { DataDirLockedError, ReplicasNeedPostgresError } from './data-dir-lock.js';

export { schema };

/** The drizzle database the app uses; PGlite and postgres.js both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Only for PostgreSQL: the raw client (LISTEN/NOTIFY, advisory locks). */
  sql: postgres.Sql | undefined;
  close(): Promise<void>;
}

/** Walks up from this file to the folder holding package.json (works from src and from dist). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the project root (package.json) to locate db/migrations');
}

export const MIGRATIONS_FOLDER = join(projectRoot(), 'db', 'migrations');

/** PostgreSQL could not be reached or refused us at start-up; the message names the server and why. */
export class DatabaseUnreachableError extends Error {
  constructor(where: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      `Cannot connect to PostgreSQL at ${where}: ${reason}. Check DATABASE_URL and that the server is up.`,
      options,
    );
    this.name = 'DatabaseUnreachableError';
  }
}

/** `host:port/database` of a connection string, never its user or password. */
function describeServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/**
 * Connection-level failures (network, DNS, login, missing database), found down the cause chain
 * (drizzle wraps the driver's error in "Failed query: …"); null for a migration's own error.
 */
function connectionFailure(err: unknown): string | null {
  const network = [
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ECONNRESET',
    'CONNECT_TIMEOUT',
  ];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = 'code' in current ? String(current.code) : '';
    const message = current instanceof Error ? (current.message.split('\n')[0] ?? '') : '';
    if (network.includes(code)) return `${message || code} (${code})`;
    // 28xxx: invalid authorization; 3D000: no such database; 57P03: the server is starting or stopping.
    if (/^28/.test(code) || code === '3D000' || code === '57P03') return `${message} (${code})`;
    current = 'cause' in current ? current.cause : undefined;
  }
  return null;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; when absent, PGlite under `dataDir`, served from a worker thread. */
  databaseUrl?: string | undefined;
  dataDir?: string;
  /**
   * PGlite on this thread, even on disk: the benchmark's "before" (issue 13). The bot never sets it:
   * on its thread every statement would block the event loop that answers Slack.
   */
  inProcess?: boolean;
  /** In-memory PGlite (tests); may be combined with `loadDataDir`. */
  memory?: boolean;
  /** A PGlite data-dir tarball to start from (tests: migrate once, load per file). */
  loadDataDir?: Blob;
  migrate?: boolean;
  maxConnections?: number;
  /** Replicas configured (REPLICAS); PGlite refuses more than one. */
  replicas?: number;
  /**
   * Called once per statement sent to the database, with its SQL text; BEGIN/COMMIT/ROLLBACK
   * and LISTEN/NOTIFY included (benchmarks count round-trips with it). Migrations are not.
   */
  onQuery?: (statement: string) => void;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  if (options.memory) return openInProcessPglite(options);

  // On disk (the bot's default): PGlite in a worker thread behind the wire protocol, reached with
  // the same postgres.js + drizzle path as PostgreSQL, so its engine never blocks the event loop.
  if ((options.replicas ?? 1) > 1) throw new ReplicasNeedPostgresError(options.replicas ?? 1);
  const dir = resolve(options.dataDir ?? './data', 'pglite');
  const unlock = await lockDataDir(dir);
  if (options.inProcess) {
    try {
      const inProcess = await openInProcessPglite(options, dir);
      return { ...inProcess, close: () => inProcess.close().finally(unlock) };
    } catch (err) {
      await unlock();
      throw err;
    }
  }
  let server: PgliteServer;
  try {
    server = await startPgliteServer(dir);
  } catch (err) {
    await unlock();
    throw err;
  }
  let database: Database;
  try {
    // One connection: the server runs one backend session (see db/pglite-server.ts).
    database = await openPostgres(`socket:${server.socketPath}`, { ...options, maxConnections: 1 }, server);
  } catch (err) {
    await server.stop().catch(() => {});
    await unlock();
    throw err;
  }
  return {
    db: database.db,
    // The runner and the jobs treat it as PGlite: one process, no LISTEN/NOTIFY, no advisory locks.
    kind: 'pglite',
    sql: undefined,
    close: async () => {
      try {
        await database.close();
      } finally {
        try {
          await server.stop();
        } finally {
          await unlock();
        }
      }
    },
  };
}

async function openPostgres(
  url: string,
  options: OpenDatabaseOptions,
  local?: PgliteServer,
): Promise<Database> {
  const shouldMigrate = options.migrate ?? true;
  let counting = false;
  const onQuery = options.onQuery;
  const clientOptions = {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    // postgres.js calls `debug` for every statement it sends, transaction control included.
    ...(onQuery ? { debug: (_connection: number, query: string) => counting && onQuery(query) } : {}),
  };
  const sql = local ? postgres({ ...clientOptions, path: local.socketPath }) : postgres(url, clientOptions);
  const db = drizzlePostgres(sql, { schema }) as unknown as Db;
  if (shouldMigrate) {
    try {
      await migratePostgres(drizzlePostgres(sql), { migrationsFolder: MIGRATIONS_FOLDER });
    } catch (err) {
      await sql.end({ timeout: 0 }).catch(() => {});
      const reason = local ? null : connectionFailure(err);
      if (!reason) throw err;
      throw new DatabaseUnreachableError(describeServer(url), reason, { cause: err });
    }
  }
  counting = true;
  return { db, kind: 'postgres', sql, close: () => sql.end({ timeout: 5 }) };
}

/** PGlite on this thread: in memory for tests and the sandbox, where nothing else competes for it. */
async function openInProcessPglite(options: OpenDatabaseOptions, dir?: string): Promise<Database> {
  const client = dir
    ? new PGlite(dir)
    : new PGlite(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  if (options.migrate ?? true)
    await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_FOLDER });
  if (options.onQuery) countPgliteStatements(client, options.onQuery);
  return { db, kind: 'pglite', sql: undefined, close: () => client.close() };
}

/**
 * PGlite has no per-statement hook: wrap its public entry points. A transaction counts its
 * BEGIN and its COMMIT (or ROLLBACK) besides the statements run inside it.
 */
function countPgliteStatements(client: PGlite, onQuery: (statement: string) => void): void {
  const { query, exec, transaction } = client;
  client.query = ((...args: Parameters<PGlite['query']>) => {
    onQuery(args[0]);
    return query.apply(client, args);
  }) as PGlite['query'];
  client.exec = ((...args: Parameters<PGlite['exec']>) => {
    onQuery(args[0]);
    return exec.apply(client, args);
  }) as PGlite['exec'];
  client.transaction = (<T>(callback: (tx: Transaction) => Promise<T>) =>
    transaction.call(client, async (tx: Transaction) => {
      onQuery('BEGIN');
      const counted: Transaction = new Proxy(tx, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          if (prop !== 'query' && prop !== 'sql' && prop !== 'exec' && prop !== 'rollback') {
            return value.bind(target);
          }
          return (...args: unknown[]) => {
            onQuery(prop === 'rollback' ? 'ROLLBACK' : typeof args[0] === 'string' ? args[0] : String(prop));
            return Reflect.apply(value, target, args);
          };
        },
      });
      try {
        const result = await callback(counted);
        if (!tx.closed) onQuery('COMMIT');
        return result;
      } catch (err) {
        if (!tx.closed) onQuery('ROLLBACK');
        throw err;
      }
    })) as PGlite['transaction'];
}
