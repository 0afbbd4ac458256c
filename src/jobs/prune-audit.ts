import { count, lt } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { auditEvents } from '../../db/schema.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes audit events older than `retentionDays` days; returns how many were deleted. */
export async function pruneAuditEvents(
  db: Db,
  retentionDays: number,
  now: Date = new Date(),
): Promise<number> {
  if (!Number.isFinite(retentionDays) || retentionDays < 1) {
    throw new RangeError('retentionDays must be at least 1');
  }
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  // Counted in the database: the first prune after enabling retention may delete many rows.
  const deleted = db
    .$with('deleted')
    .as(db.delete(auditEvents).where(lt(auditEvents.createdAt, cutoff)).returning({ id: auditEvents.id }));
  const [row] = await db.with(deleted).select({ n: count() }).from(deleted);
  return row?.n ?? 0;
}
