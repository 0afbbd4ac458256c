import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * PGlite has no guard against two processes opening one folder, which corrupts it. A PID file
 * is not enough: containers sharing a volume see each other's PIDs as dead (or as someone else).
 * So the lock is the kernel's: util-linux `flock` takes an exclusive lock on the lock file and
 * holds it for as long as it runs, and it runs for as long as we do (it waits on a pipe from us;
 * when we exit, for any reason, the pipe closes, it exits, and the kernel drops the lock). That
 * holds across containers on one host, and over NFS, where Linux maps flock to POSIX locks.
 * Who holds the lock (host, pid, since when) is written into the file, for the refusal message.
 */

export class DataDirLockedError extends Error {
  constructor(dir: string, holder: string) {
    super(
      `The data folder ${dir} is already in use by another process (${holder}). ` +
        'Stop it first, or set DATA_DIR to another folder, or DATABASE_URL to use PostgreSQL.',
    );
    this.name = 'DataDirLockedError';
  }
}

/** Exit code our flock child uses for "someone else holds the lock" (EX_TEMPFAIL). */
const LOCKED_EXIT = 75;
const LOCK_FILE = 'orchestrator.lock';

interface Holder {
  host: string;
  pid: number;
  since: string;
}

function describeHolder(lockPath: string): string {
  try {
    const h = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<Holder>;
    if (typeof h.host === 'string' && typeof h.pid === 'number') {
      return `pid ${h.pid} on host ${h.host}${typeof h.since === 'string' ? `, since ${h.since}` : ''}`;
    }
  } catch {
    // An older lock file (a bare pid) or none: say what we can.
  }
  return 'holder unknown';
}

/**
 * Takes the exclusive lock on `dir`; resolves with the function that releases it. The release
 * resolves once the holder has exited, so the same process can take the folder again right after.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, LOCK_FILE);
  // `cat` holds the lock until our end of its stdin closes: on release(), or when we die.
  const child = spawn(
    'flock',
    [
      '--exclusive',
      '--nonblock',
      '--conflict-exit-code',
      String(LOCKED_EXIT),
      lockPath,
      'sh',
      '-c',
      'echo locked; exec cat >/dev/null',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const outcome = await new Promise<'locked' | 'busy' | Error>((resolve) => {
    let stderr = '';
    child.stdout?.once('data', () => resolve('locked'));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'ENOENT'
          ? new Error(
              'Cannot lock the data folder: the `flock` command (util-linux) is not installed. Install it, or set DATABASE_URL to use PostgreSQL.',
            )
          : err,
      ),
    );
    child.once('exit', (code) =>
      resolve(
        code === LOCKED_EXIT
          ? 'busy'
          : new Error(`Cannot lock the data folder ${dir}: flock exited with ${code}. ${stderr.trim()}`),
      ),
    );
  });
  if (outcome === 'busy') throw new DataDirLockedError(dir, describeHolder(lockPath));
  if (outcome instanceof Error) {
    child.kill();
    throw outcome;
  }
  const holder: Holder = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  // The lock is on the file, not its content: rewriting it keeps the lock.
  writeFileSync(lockPath, `${JSON.stringify(holder)}\n`);
  // The lock must not keep our event loop alive.
  unrefChild(child);
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else child.once('exit', () => resolveExit());
  });
  let released = false;
  return () => {
    if (!released) {
      released = true;
      child.stdin?.end();
      child.kill();
    }
    return exited;
  };
}

function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}

/** PGlite is one process; several replicas configured on it would fight over (or corrupt) one folder. */
export class ReplicasNeedPostgresError extends Error {
  constructor(replicas: number) {
    super(
      `REPLICAS is ${replicas}, but the embedded database (PGlite, used when DATABASE_URL is unset) serves one process only. Set DATABASE_URL to a PostgreSQL server, or REPLICAS=1.`,
    );
    this.name = 'ReplicasNeedPostgresError';
  }
}
