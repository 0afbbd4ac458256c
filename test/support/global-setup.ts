import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/index.js';

/**
 * Creating and migrating a PGlite takes seconds; do it once, dump the migrated data folder,
 * and let every test file load that copy (see test/support/database.ts).
 */
export default async function setup(project: TestProject): Promise<void> {
  const dir = join(process.cwd(), 'node_modules', '.cache', 'ai-orchestrator-test');
  mkdirSync(dir, { recursive: true });
  const database = await openDatabase({ memory: true });
  const client = (database.db as unknown as { $client: { dumpDataDir(c?: 'none' | 'gzip'): Promise<Blob> } })
    .$client;
  const dump = await client.dumpDataDir('none');
  const path = join(dir, `pglite-${process.pid}.tar`);
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteDumpPath', path);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDumpPath: string;
  }
}
