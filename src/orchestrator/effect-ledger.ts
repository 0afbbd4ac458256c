import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { effects } from '../../db/schema.js';
import type { EffectLedger, EffectRecord } from '../agents/types.js';

/** The effects ledger in the project's database (table `effects`). */
export function createEffectLedger(db: Db): EffectLedger {
  return {
    async get(key): Promise<EffectRecord | null> {
      const [row] = await db.select().from(effects).where(eq(effects.idempotencyKey, key));
      if (!row) return null;
      return {
        status: row.status === 'done' ? 'done' : 'started',
        externalId: row.externalId,
        detail: row.detail ?? null,
      };
    },
    async begin(key, kind): Promise<void> {
      await db.insert(effects).values({ idempotencyKey: key, kind, status: 'started' }).onConflictDoNothing();
    },
    async complete(key, externalId, detail): Promise<void> {
      await db
        .insert(effects)
        .values({ idempotencyKey: key, kind: 'unknown', status: 'done', externalId, detail })
        .onConflictDoUpdate({
          target: effects.idempotencyKey,
          set: { status: 'done', externalId, detail, updatedAt: sql`now()` },
        });
    },
  };
}
