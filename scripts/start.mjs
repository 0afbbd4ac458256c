#!/usr/bin/env node
// `npm start`: compile when dist/ is missing or older than the sources, then run the app.
// Plain ESM with no dependencies, so it works right after `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'src', 'main.js');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Newest modification time of any file under `path` (0 when it does not exist). */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const item of readdirSync(path, { withFileTypes: true })) {
    if (item.name === 'node_modules' || item.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, item.name)));
  }
  return newest;
}

function needsBuild() {
  if (!existsSync(entry)) return true;
  const sources = ['src', 'db', 'tsconfig.json', 'tsconfig.build.json'].map((p) =>
    newestMtime(join(root, p)),
  );
  return Math.max(...sources) > statSync(entry).mtimeMs;
}

function fail(message) {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

if (needsBuild()) {
  if (!existsSync(tsc))
    fail('dist/ is missing or out of date and TypeScript is not installed: run `npm install` first.');
  process.stderr.write('npm start: compiling TypeScript (tsc -p tsconfig.build.json)…\n');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.error) fail(`could not run the TypeScript compiler: ${build.error.message}`);
  if (build.status !== 0) {
    fail(
      `the TypeScript build failed (tsc exit code ${build.status ?? build.signal}); fix the errors above and retry.`,
    );
  }
}

// A .env next to package.json is loaded by Node itself; variables already set in the environment win.
const envFile = join(root, '.env');
const nodeArgs = [...(existsSync(envFile) ? [`--env-file=${envFile}`] : []), entry, ...process.argv.slice(2)];
const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: 'inherit' });

// Forward stop signals so the app can shut down cleanly (close the database, finish steps).
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward);

child.on('error', (err) => fail(`could not start the app: ${err.message}`));
child.on('exit', (code, signal) => {
  if (signal) {
    // Die the same way the child did, so callers see the signal.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
