import { and, eq, gt, isNull, not, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { effects, steps } from '../../db/schema.js';
import { AgentError, type EffectLedger, type EffectRecord } from '../agents/types.js';

/**
 * `begin` found the effect in the hands of another claim that is still running (its step holds
 * that claim token under a live lease). Transient: once that claim finishes, the ledger says
 * "done" and a retry reuses its result instead of acting a second time.
 */
export class EffectOwnedElsewhereError extends AgentError {
  constructor(readonly idempotencyKey: string) {
    super('Another attempt of this step is still working on it', 'transient', {
      detail: `effect ${idempotencyKey} is owned by another live claim`,
    });
    this.name = 'EffectOwnedElsewhereError';
  }
}

/**
 * The effects ledger in the project's database (table `effects`), bound to one claim of one
 * step. Without a claim token (unit tests of a single agent) `begin` never refuses.
 */
export function createEffectLedger(db: Db, claimToken: string | null = null): EffectLedger {
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
      // The row is ours when nobody owns it, we do, or its owner's claim is no longer live
      // (the step was taken over, finished, or its lease ran out).
      const ownerIsLive = sql`exists (${db
        .select({ one: sql`1` })
        .from(steps)
        .where(
          and(
            eq(steps.claimToken, effects.claimToken),
            eq(steps.status, 'running'),
            gt(steps.leaseUntil, sql`now()`),
          ),
        )})`;
      const taken = await db
        .insert(effects)
        .values({ idempotencyKey: key, kind, status: 'started', claimToken })
        .onConflictDoUpdate({
          target: effects.idempotencyKey,
          set: { claimToken, updatedAt: sql`now()` },
          setWhere:
            claimToken === null
              ? sql`true`
              : or(isNull(effects.claimToken), eq(effects.claimToken, claimToken), not(ownerIsLive)),
        })
        .returning({ key: effects.idempotencyKey });
      if (taken.length === 0) throw new EffectOwnedElsewhereError(key);
    },
    async complete(key, externalId, detail): Promise<void> {
      // Not fenced: the effect happened, whoever made it; the record must say so.
      await db
        .insert(effects)
        .values({ idempotencyKey: key, kind: 'unknown', status: 'done', externalId, detail, claimToken })
        .onConflictDoUpdate({
          target: effects.idempotencyKey,
          set: { status: 'done', externalId, detail, updatedAt: sql`now()` },
        });
    },
  };
}
