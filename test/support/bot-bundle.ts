import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

let bundled: Promise<string> | undefined;

/**
 * src/main.ts bundled once per test process with esbuild (already installed as tsx's engine):
 * a crash matrix starts the bot dozens of times, and compiling the sources through tsx on every
 * start costs seconds on two busy cores. Dependencies stay external (resolved from node_modules);
 * the bundle lives under node_modules/.cache so the app still finds the project root above it.
 */
export function botBundle(): Promise<string> {
  bundled ??= (async () => {
    const root = join(import.meta.dirname, '..', '..');
    const dir = join(root, 'node_modules', '.cache', 'ai-orchestrator-bot', String(process.pid));
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'main.mjs');
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(root, 'src', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: false,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundled;
}
