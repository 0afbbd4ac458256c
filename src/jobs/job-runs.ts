/**
 * Coordination of scheduled jobs between replicas, through the database:
 * - on PostgreSQL an advisory lock, held in a transaction for the whole run, elects one replica;
 * - the `job_runs` row records each run, and for a daily job its conditional upsert is the claim
 *   that makes it run at most once per calendar day across replicas and restarts.
 */
import { eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/index.js';
import { jobRuns } from '../../db/schema.js';

/** First key of the two-int advisory lock: keeps job locks apart from any other advisory lock. */
export const JOB_LOCK_NAMESPACE = 0x4a6f6273; // "Jobs"

/** A stable 32-bit key per job name (FNV-1a), the second key of the advisory lock. */
export function jobLockKey(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0; // signed int4
}

export type LockResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `fn` only if this replica gets the job's advisory lock (without waiting for it). The lock is
 * transaction-scoped on one reserved connection, so it is released when `fn` ends, and also when
 * the process dies and its connection closes. PGlite is a single process: there is nobody to
 * coordinate with, so `fn` simply runs.
 */
export async function withJobLock<T>(
  database: Database,
  name: string,
  fn: () => Promise<T>,
): Promise<LockResult<T>> {
  const client = database.kind === 'postgres' ? database.sql : undefined;
  if (!client) return { acquired: true, value: await fn() };
  let result: LockResult<T> = { acquired: false };
  await client.begin(async (tx) => {
    const [row] = await tx<Array<{ locked: boolean }>>`
      select pg_try_advisory_xact_lock(${JOB_LOCK_NAMESPACE}::int4, ${jobLockKey(name)}::int4) as locked`;
    if (!row?.locked) return;
    result = { acquired: true, value: await fn() };
  });
  return result;
}

/**
 * Records the start of a run. For a daily job the row is only updated when the last start was
 * before today (database time), so of two replicas, or a replica restarted the same day, only the
 * first gets `true`. The upsert is one statement, so this holds even without the advisory lock.
 */
export async function claimJobRun(db: Db, name: string, daily: boolean): Promise<boolean> {
  const started = await db
    .insert(jobRuns)
    .values({ name, lastStartedAt: sql`now()`, lastStatus: 'running' })
    .onConflictDoUpdate({
      target: jobRuns.name,
      set: { lastStartedAt: sql`now()`, lastStatus: 'running' },
      ...(daily
        ? {
            setWhere: sql`${jobRuns.lastStartedAt} is null or ${jobRuns.lastStartedAt} < date_trunc('day', now())`,
          }
        : {}),
    })
    .returning({ name: jobRuns.name });
  return started.length > 0;
}

export async function finishJobRun(
  db: Db,
  name: string,
  status: 'succeeded' | 'failed',
  result: Record<string, unknown>,
): Promise<void> {
  await db
    .update(jobRuns)
    .set({ lastFinishedAt: sql`now()`, lastStatus: status, lastResult: result })
    .where(eq(jobRuns.name, name));
}
