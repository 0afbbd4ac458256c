import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../db/data-dir-lock.js';
import { openDatabase, ReplicasNeedPostgresError } from '../db/index.js';
import { loadConfig } from '../src/config.js';

/**
 * Issue 7, item 11: the PGlite folder is locked by the kernel (flock), not by a PID file, so
 * processes that cannot see each other's PIDs (containers sharing a volume) still exclude
 * each other; and PGlite refuses to run with more than one replica configured.
 */
const root = join(import.meta.dirname, '..');
const children: ChildProcess[] = [];
const dirs: string[] = [];

function contender(args: string[]): {
  child: ChildProcess;
  output: Promise<{ code: number | null; out: string }>;
  line: Promise<string>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'test', 'support', 'lock-contender.ts'), ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  let resolveLine: (line: string) => void = () => {};
  const line = new Promise<string>((r) => (resolveLine = r));
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('\n')) resolveLine(out.split('\n')[0]!);
  });
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const output = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => {
      resolveLine(out);
      resolve({ code, out });
    }),
  );
  return { child, output, line };
}

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orch-lock-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('PGlite data folder lock', () => {
  it('refuses a second process on the same folder, naming the holder by pid and host', async () => {
    const dataDir = tempDataDir();
    const release = await lockDataDir(join(dataDir, 'pglite'));
    try {
      const second = await contender(['open', dataDir]).output;
      expect(second.code).toBe(1);
      expect(second.out).toContain('DataDirLockedError');
      expect(second.out).toContain(`pid ${process.pid} on host ${hostname()}`);
      expect(second.out).toMatch(/set DATA_DIR to another folder, or DATABASE_URL/);
    } finally {
      await release();
    }
  }, 30_000);

  it("holds even when the holder's pid means nothing here (another container on a shared volume)", async () => {
    const dataDir = tempDataDir();
    // The holder's record shows a pid that is dead in this namespace, as a PID file would.
    const holder = contender(['hold', join(dataDir), '999999']);
    expect(await holder.line).toBe('held');
    await expect(lockDataDir(join(dataDir, 'pglite'))).rejects.toBeInstanceOf(DataDirLockedError);
    // The kernel drops the lock when the holder dies, however it dies.
    holder.child.kill('SIGKILL');
    await holder.output;
    const release = await waitForLock(join(dataDir, 'pglite'));
    release();
  }, 30_000);

  it('is released by release(), so the same process can open the folder again', async () => {
    const dir = join(tempDataDir(), 'pglite');
    const first = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await first();
    const again = await waitForLock(dir);
    await again();
  });

  it('refuses PGlite when more than one replica is configured', async () => {
    const dataDir = tempDataDir();
    await expect(openDatabase({ dataDir, replicas: 2 })).rejects.toBeInstanceOf(ReplicasNeedPostgresError);
    await expect(openDatabase({ dataDir, replicas: 2 })).rejects.toThrow(/REPLICAS is 2.*DATABASE_URL/);
    expect(loadConfig({ REPLICAS: '3' }).replicas).toBe(3);
    expect(loadConfig({}).replicas).toBe(1);
  });
});

/** The lock child of a released or killed holder exits asynchronously: retry briefly. */
async function waitForLock(dir: string): Promise<() => void> {
  for (let i = 0; ; i++) {
    try {
      return await lockDataDir(dir);
    } catch (err) {
      if (!(err instanceof DataDirLockedError) || i >= 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
