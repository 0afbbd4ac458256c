/**
 * A second process for the data-folder lock tests, run as
 * `node --import tsx test/support/lock-contender.ts <hold|open> <dataDir> [fake-pid]`:
 * - hold: takes the PGlite folder's lock, optionally overwrites the holder record with a bare
 *   pid (as another container's PID file would read), prints "held", and waits to be killed;
 * - open: opens the database like the bot does; prints "opened" or the error's message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from '../../db/data-dir-lock.js';
import { openDatabase } from '../../db/index.js';

const [mode, dataDir, fakePid] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: lock-contender <hold|open> <dataDir> [fake-pid]');
const dir = join(dataDir, 'pglite');

if (mode === 'hold') {
  await lockDataDir(dir);
  if (fakePid) writeFileSync(join(dir, 'orchestrator.lock'), fakePid);
  process.stdout.write('held\n');
  setInterval(() => {}, 60_000);
} else {
  try {
    const db = await openDatabase({ dataDir, migrate: false });
    process.stdout.write('opened\n');
    await db.close();
    process.exit(0);
  } catch (err) {
    process.stdout.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exit(1);
  }
}
