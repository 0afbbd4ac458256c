import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Database, openDatabase, schema } from '../../db/index.js';
import { type JobDeps, type JobName, type JobSchedule, type Jobs, startJobs } from '../../src/jobs.js';
import { createLogger } from '../../src/logger.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';

const logger = createLogger({ level: 'silent' });
/** Schedules that never fire during a test (1 January, midnight): the tests call runNow. */
const QUIET: JobSchedule = {
  'recover-leases': '0 0 1 1 *',
  'approval-reminder': '0 0 1 1 *',
  'prune-audit': '0 0 1 1 *',
  'github-poll': '0 0 1 1 *',
};

/** A job body the test controls: counts calls, can throw, can be held open. */
class FakeJob {
  calls = 0;
  result = 0;
  error: Error | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private entered: (() => void) | undefined;

  readonly fn = async (): Promise<number> => {
    this.calls++;
    this.entered?.();
    if (this.gate) await this.gate;
    if (this.error) throw this.error;
    return this.result;
  };

  /** The next run waits until release(); resolves once it has started. */
  hold(): Promise<void> {
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
    return new Promise((resolve) => {
      this.entered = resolve;
    });
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
    this.entered = undefined;
  }
}

function fakes() {
  return { leases: new FakeJob(), reminder: new FakeJob(), prune: new FakeJob() };
}

function depsFor(database: Database, f: ReturnType<typeof fakes>): JobDeps {
  return {
    database,
    logger,
    recoverExpiredLeases: f.leases.fn,
    remindApprovers: f.reminder.fn,
    pruneAuditEvents: f.prune.fn,
  };
}

describe.each(DATABASE_KINDS)('scheduled jobs on %s', (kind) => {
  let database: TestDatabase;
  let jobs: Jobs | undefined;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => database.close());
  beforeEach(async () => {
    await jobs?.stop();
    jobs = undefined;
    await database.truncate();
  });

  const record = async (name: JobName) =>
    (await database.db.select().from(schema.jobRuns).where(eq(schema.jobRuns.name, name)))[0];

  /** Moves a job's last start to yesterday, as if the day had turned. */
  const yesterday = (name: JobName) =>
    database.db
      .update(schema.jobRuns)
      .set({ lastStartedAt: sql`now() - interval '1 day'` })
      .where(eq(schema.jobRuns.name, name));

  it('runs each job on runNow and records the outcome', async () => {
    const f = fakes();
    f.leases.result = 3;
    f.reminder.result = 2;
    f.prune.result = 40;
    jobs = startJobs(depsFor(database, f), QUIET);

    expect(await jobs.runNow('recover-leases')).toEqual({
      name: 'recover-leases',
      status: 'succeeded',
      count: 3,
    });
    expect(await jobs.runNow('approval-reminder')).toEqual({
      name: 'approval-reminder',
      status: 'succeeded',
      count: 2,
    });
    expect(await jobs.runNow('prune-audit')).toEqual({ name: 'prune-audit', status: 'succeeded', count: 40 });
    expect([f.leases.calls, f.reminder.calls, f.prune.calls]).toEqual([1, 1, 1]);

    const row = await record('prune-audit');
    expect(row?.lastStatus).toBe('succeeded');
    expect(row?.lastResult).toEqual({ count: 40 });
    expect(row?.lastStartedAt).toBeInstanceOf(Date);
    expect(row?.lastFinishedAt).toBeInstanceOf(Date);
    expect(row!.lastFinishedAt!.getTime()).toBeGreaterThanOrEqual(row!.lastStartedAt!.getTime());
  });

  it('runs a daily job once per day even when called twice, and again the next day', async () => {
    const f = fakes();
    jobs = startJobs(depsFor(database, f), QUIET);
    expect((await jobs.runNow('approval-reminder')).status).toBe('succeeded');
    expect(await jobs.runNow('approval-reminder')).toEqual({
      name: 'approval-reminder',
      status: 'skipped',
      reason: 'done-today',
    });
    expect(f.reminder.calls).toBe(1);

    await yesterday('approval-reminder');
    expect((await jobs.runNow('approval-reminder')).status).toBe('succeeded');
    expect(f.reminder.calls).toBe(2);

    // The lease recovery is not daily: it runs every time.
    await jobs.runNow('recover-leases');
    await jobs.runNow('recover-leases');
    expect(f.leases.calls).toBe(2);
  });

  it('remembers a daily run across a restart (a new startJobs on the same database)', async () => {
    const f = fakes();
    const first = startJobs(depsFor(database, f), QUIET);
    await first.runNow('prune-audit');
    await first.stop();
    jobs = startJobs(depsFor(database, f), QUIET);
    expect(await jobs.runNow('prune-audit')).toMatchObject({ status: 'skipped', reason: 'done-today' });
    expect(f.prune.calls).toBe(1);
  });

  it('records a job that throws as failed, never throws itself, and the next run still happens', async () => {
    const f = fakes();
    jobs = startJobs(depsFor(database, f), QUIET);
    f.leases.error = new Error('database went away');
    expect(await jobs.runNow('recover-leases')).toEqual({
      name: 'recover-leases',
      status: 'failed',
      error: 'database went away',
    });
    expect(await record('recover-leases')).toMatchObject({
      lastStatus: 'failed',
      lastResult: { error: 'database went away' },
    });

    f.leases.error = undefined;
    f.leases.result = 1;
    expect(await jobs.runNow('recover-leases')).toMatchObject({ status: 'succeeded', count: 1 });
    expect(await record('recover-leases')).toMatchObject({
      lastStatus: 'succeeded',
      lastResult: { count: 1 },
    });

    // A failed daily job is not repeated the same day (it may have half-done its work), but runs the next.
    f.prune.error = new Error('disk full');
    expect((await jobs.runNow('prune-audit')).status).toBe('failed');
    expect((await jobs.runNow('prune-audit')).status).toBe('skipped');
    f.prune.error = undefined;
    await yesterday('prune-audit');
    expect((await jobs.runNow('prune-audit')).status).toBe('succeeded');
    expect(f.prune.calls).toBe(2);
  });

  it('does not overlap a job with itself in one process, and stop() waits for the run in progress', async () => {
    const f = fakes();
    jobs = startJobs(depsFor(database, f), QUIET);
    const started = f.leases.hold();
    const first = jobs.runNow('recover-leases');
    await started;
    expect(await jobs.runNow('recover-leases')).toEqual({
      name: 'recover-leases',
      status: 'skipped',
      reason: 'running',
    });
    // Another job is not held up by it.
    expect((await jobs.runNow('prune-audit')).status).toBe('succeeded');

    let stopped = false;
    const stopping = jobs.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    f.leases.release();
    await stopping;
    expect((await first).status).toBe('succeeded');
    expect(await jobs.runNow('recover-leases')).toMatchObject({ status: 'skipped', reason: 'stopped' });
    expect(f.leases.calls).toBe(1);
  });

  it('fires jobs on their cron schedule', async () => {
    const f = fakes();
    jobs = startJobs(depsFor(database, f), { ...QUIET, 'recover-leases': '* * * * * *' });
    await vi.waitFor(() => expect(f.leases.calls).toBeGreaterThan(0), { timeout: 5000, interval: 50 });
    await vi.waitFor(async () => expect((await record('recover-leases'))?.lastStatus).toBe('succeeded'), {
      timeout: 5000,
      interval: 50,
    });
    expect(f.prune.calls).toBe(0);
  });

  it.runIf(kind === 'postgres')(
    'runs a daily job once when two replicas start it at the same time',
    async () => {
      const other = await openDatabase({ databaseUrl: database.url, migrate: false });
      const f = fakes();
      const a = startJobs(depsFor(database, f), QUIET);
      const b = startJobs(depsFor(other, f), QUIET);
      try {
        for (const name of ['approval-reminder', 'prune-audit'] as const) {
          const outcomes = await Promise.all([
            a.runNow(name),
            b.runNow(name),
            a.runNow(name),
            b.runNow(name),
          ]);
          expect(
            outcomes.filter((o) => o.status === 'succeeded'),
            name,
          ).toHaveLength(1);
          expect(
            outcomes.filter((o) => o.status === 'skipped'),
            name,
          ).toHaveLength(3);
          // Later the same day, from either replica: nothing.
          expect(await b.runNow(name)).toMatchObject({ status: 'skipped', reason: 'done-today' });
          expect(await a.runNow(name)).toMatchObject({ status: 'skipped', reason: 'done-today' });
        }
        expect(f.reminder.calls).toBe(1);
        expect(f.prune.calls).toBe(1);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
        await other.close();
      }
    },
  );

  it.runIf(kind === 'postgres')('runs a job in one replica at a time (advisory lock)', async () => {
    const other = await openDatabase({ databaseUrl: database.url, migrate: false });
    const f = fakes();
    const a = startJobs(depsFor(database, f), QUIET);
    const b = startJobs(depsFor(other, f), QUIET);
    try {
      const started = f.leases.hold();
      const running = a.runNow('recover-leases');
      await started;
      expect(await b.runNow('recover-leases')).toEqual({
        name: 'recover-leases',
        status: 'skipped',
        reason: 'other-replica',
      });
      f.leases.release();
      expect((await running).status).toBe('succeeded');
      // The lock went with the run: now the other replica gets it.
      expect((await b.runNow('recover-leases')).status).toBe('succeeded');
      expect(f.leases.calls).toBe(2);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await other.close();
    }
  });
});
