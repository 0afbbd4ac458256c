import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, schema } from '../db/index.js';
import { startPgliteServer } from '../db/pglite-server.js';

/**
 * The bot's default database: PGlite on disk, run in a worker thread and reached over the wire
 * protocol with postgres.js (issue 13). Migrations run through it, data survives a restart, and
 * closing it ends the worker and releases the folder.
 */
describe('PGlite on disk, off the main thread', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orch-pglite-worker-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrates, writes, closes, and reads back after reopening', async () => {
    const statements: string[] = [];
    const first = await openDatabase({ dataDir, onQuery: (s) => statements.push(s) });
    expect(first.kind).toBe('pglite');
    // LISTEN/NOTIFY and advisory locks stay PostgreSQL-only (one process holds the folder).
    expect(first.sql).toBeUndefined();
    const [row] = await first.db
      .insert(schema.discussions)
      .values({ channelId: 'C1', requestedBy: 'U1', source: 'text', extractor: 'rules', messageCount: 1 })
      .returning();
    await first.db.transaction(async (tx) => {
      await tx.update(schema.discussions).set({ messageCount: 2 }).where(eq(schema.discussions.id, row!.id));
    });
    expect(statements.some((s) => /insert into "discussions"/i.test(s))).toBe(true);
    await first.close();

    const second = await openDatabase({ dataDir });
    const rows = await second.db.select().from(schema.discussions).where(eq(schema.discussions.id, row!.id));
    expect(rows[0]?.messageCount).toBe(2);
    await second.close();
  });

  it('runs the engine in a worker thread, and stopping it ends the thread and the socket', async () => {
    const server = await startPgliteServer(join(dataDir, 'pglite'));
    expect(server.threadId).toBeGreaterThan(threadId);
    const sql = postgres({ path: server.socketPath, max: 1, onnotice: () => {} });
    const [row] = await sql<{ one: number }[]>`select 1::int as one`;
    expect(row?.one).toBe(1);
    await sql.end();
    await server.stop();
    expect(existsSync(server.socketPath)).toBe(false);
  });

  it('rolls back a failed transaction and stays usable', async () => {
    const database = await openDatabase({ dataDir });
    try {
      await expect(
        database.db.transaction(async (tx) => {
          await tx.insert(schema.discussions).values({
            channelId: 'C2',
            requestedBy: 'U2',
            source: 'text',
            extractor: 'rules',
            messageCount: 1,
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const rows = await database.db
        .select()
        .from(schema.discussions)
        .where(eq(schema.discussions.channelId, 'C2'));
      expect(rows).toHaveLength(0);
    } finally {
      await database.close();
    }
  });
});
