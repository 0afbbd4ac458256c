/**
 * Scheduled jobs (node-cron): recover expired step leases, remind approvers of waiting tasks once a
 * day, prune old audit rows once a day, poll GitHub for the bot's issues and PRs (when configured). Each job is guarded against overlap in this process
 * (node-cron's `noOverlap`, plus our own guard that also covers `runNow`), against other replicas
 * (a PostgreSQL advisory lock: node-cron's distributed mode is only an interface), and for daily
 * jobs against a second run the same day (the `job_runs` claim). A job's error is logged and
 * recorded, never thrown: a failing job must not take the process down.
 */
import { type ScheduledTask, schedule } from 'node-cron';
import type { Database } from '../db/index.js';
import { claimJobRun, finishJobRun, withJobLock } from './jobs/job-runs.js';
import type { Logger } from './logger.js';

export const JOB_NAMES = ['recover-leases', 'approval-reminder', 'prune-audit', 'github-poll'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** A cron expression per job (node-cron syntax: an optional seconds field first). */
export type JobSchedule = Record<JobName, string>;

export const DEFAULT_JOB_SCHEDULE: JobSchedule = {
  'recover-leases': '*/30 * * * * *',
  'approval-reminder': '0 9 * * 1-5',
  'prune-audit': '30 3 * * *',
  'github-poll': '*/2 * * * *',
};

/** Jobs that run at most once per calendar day (database time) across replicas and restarts. */
const DAILY: ReadonlySet<JobName> = new Set<JobName>(['approval-reminder', 'prune-audit']);

export interface JobDeps {
  database: Database;
  logger: Logger;
  /** Each returns how many things it handled (leases recovered, digests posted, rows deleted). */
  recoverExpiredLeases: () => Promise<number>;
  remindApprovers: () => Promise<number>;
  pruneAuditEvents: () => Promise<number>;
  /** Absent: the job is not scheduled (no GitHub token, or the poll is off). */
  pollGitHub?: () => Promise<number>;
}

export type SkipReason =
  /** This process is still running the previous run. */
  | 'running'
  /** Another replica holds the job's lock (PostgreSQL). */
  | 'other-replica'
  /** A daily job that already started today (here, in another replica, or before a restart). */
  | 'done-today'
  /** `stop()` was called. */
  | 'stopped'
  /** The job has nothing to do in this configuration (e.g. the GitHub poll without a token). */
  | 'not-configured';

export type JobOutcome =
  | { name: JobName; status: 'succeeded'; count: number }
  | { name: JobName; status: 'failed'; error: string }
  | { name: JobName; status: 'skipped'; reason: SkipReason };

export interface Jobs {
  /** Stops the schedules and waits for runs in progress. */
  stop(): Promise<void>;
  /** Runs a job now, with the same guards as a scheduled run (tests, admin). */
  runNow(name: JobName): Promise<JobOutcome>;
}

/** node-cron logs through this instead of the console. */
function cronLogger(logger: Logger) {
  return {
    info: (message: string) => logger.info(message),
    warn: (message: string) => logger.warn(message),
    error: (message: string | Error, err?: Error) =>
      message instanceof Error
        ? logger.error({ err: message }, message.message)
        : logger.error({ err }, message),
    debug: (message: string | Error, err?: Error) =>
      message instanceof Error
        ? logger.debug({ err: message }, message.message)
        : logger.debug({ err }, message),
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function startJobs(deps: JobDeps, overrides: Partial<JobSchedule> = {}): Jobs {
  const logger = deps.logger.child({ component: 'jobs' });
  const plan: JobSchedule = { ...DEFAULT_JOB_SCHEDULE, ...overrides };
  const work: Partial<Record<JobName, () => Promise<number>>> = {
    'recover-leases': deps.recoverExpiredLeases,
    'approval-reminder': deps.remindApprovers,
    'prune-audit': deps.pruneAuditEvents,
    ...(deps.pollGitHub ? { 'github-poll': deps.pollGitHub } : {}),
  };
  const scheduled = JOB_NAMES.filter((name) => work[name] !== undefined);
  const inFlight = new Map<JobName, Promise<JobOutcome>>();
  let stopped = false;

  /** Claim, run, record; inside the replica lock. Never throws. */
  const attempt = async (name: JobName): Promise<JobOutcome> => {
    const db = deps.database.db;
    const log = logger.child({ job: name });
    try {
      const locked = await withJobLock(deps.database, name, async (): Promise<JobOutcome> => {
        if (!(await claimJobRun(db, name, DAILY.has(name)))) {
          return { name, status: 'skipped', reason: 'done-today' };
        }
        let outcome: JobOutcome;
        try {
          const job = work[name];
          if (!job) throw new Error(`job ${name} is not configured`);
          const count = await job();
          outcome = { name, status: 'succeeded', count };
          if (count > 0 || DAILY.has(name)) log.info({ count }, 'job finished');
          else log.debug({ count }, 'job finished');
        } catch (err) {
          outcome = { name, status: 'failed', error: errorMessage(err) };
          log.error({ err }, 'job failed');
        }
        if (outcome.status === 'succeeded') {
          await finishJobRun(db, name, 'succeeded', { count: outcome.count });
        } else if (outcome.status === 'failed') {
          await finishJobRun(db, name, 'failed', { error: outcome.error });
        }
        return outcome;
      });
      return locked.acquired ? locked.value : { name, status: 'skipped', reason: 'other-replica' };
    } catch (err) {
      // The database itself failed (claim, record or lock): logged, and the next tick tries again.
      log.error({ err }, 'job could not run');
      return { name, status: 'failed', error: errorMessage(err) };
    }
  };

  const run = (name: JobName): Promise<JobOutcome> => {
    if (stopped) return Promise.resolve({ name, status: 'skipped', reason: 'stopped' });
    if (!work[name]) return Promise.resolve({ name, status: 'skipped', reason: 'not-configured' });
    if (inFlight.has(name)) return Promise.resolve({ name, status: 'skipped', reason: 'running' });
    const promise = attempt(name).finally(() => inFlight.delete(name));
    inFlight.set(name, promise);
    return promise;
  };

  const tasks: ScheduledTask[] = scheduled.map((name) =>
    schedule(plan[name], () => run(name), {
      name: `orchestrator:${name}`,
      noOverlap: true,
      logger: cronLogger(logger.child({ job: name })),
    }),
  );

  return {
    runNow: run,
    async stop() {
      stopped = true;
      await Promise.all(tasks.map((task) => task.destroy()));
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
