import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../db/index.js';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** The kinds to run database suites on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DATABASE_KINDS: TestDatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

export interface TestDatabase extends Database {
  /** Empties every table (between tests). */
  truncate(): Promise<void>;
  /** postgres:// URL of this test's own database (PostgreSQL only), for child processes. */
  url: string | undefined;
}

/**
 * PGlite: loads the migrated copy made by global-setup. PostgreSQL: a fresh database per call
 * (dropped on close), so test files running in parallel never share tables.
 */
export async function openTestDatabase(kind: TestDatabaseKind = 'pglite'): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dump = new Blob([readFileSync(inject('pgliteDumpPath'))]);
    const database = await openDatabase({ memory: true, loadDataDir: dump, migrate: false });
    return { ...database, url: undefined, truncate: () => truncateAll(database) };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const name = `orch_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...database,
    url: url.toString(),
    truncate: () => truncateAll(database),
    close: async () => {
      await database.close();
      const dropper = postgres(base, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

async function truncateAll(database: Database): Promise<void> {
  await database.db.execute(
    sql`truncate audit_events, steps, runs, tasks, discussions, effects, job_runs, github_events, task_github_links, project_channels, projects restart identity cascade`,
  );
}
