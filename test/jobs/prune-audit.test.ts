import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { pruneAuditEvents } from '../../src/jobs/prune-audit.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('pruneAuditEvents on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => database.close());
  beforeEach(async () => database.truncate());

  /** One audit event per age, in days. */
  async function eventsAged(days: number[]): Promise<void> {
    await database.db.insert(schema.auditEvents).values(
      days.map((d) => ({
        actor: 'U0LEAD',
        action: `edit-${d}`,
        createdAt: sql`now() - make_interval(days => ${d})`,
      })),
    );
  }

  const remaining = async () =>
    (await database.db.select({ action: schema.auditEvents.action }).from(schema.auditEvents))
      .map((r) => r.action)
      .sort();

  it('deletes only the events older than the retention, and says how many', async () => {
    await eventsAged([0, 10, 89, 91, 200, 365]);
    expect(await pruneAuditEvents(database.db, 90)).toBe(3);
    expect(await remaining()).toEqual(['edit-0', 'edit-10', 'edit-89']);
    expect(await pruneAuditEvents(database.db, 90)).toBe(0);
    expect(await pruneAuditEvents(database.db, 5)).toBe(2);
    expect(await remaining()).toEqual(['edit-0']);
  });

  it('refuses a retention under one day rather than deleting everything', async () => {
    await eventsAged([0, 2]);
    await expect(pruneAuditEvents(database.db, 0)).rejects.toThrow(RangeError);
    await expect(pruneAuditEvents(database.db, Number.NaN)).rejects.toThrow(RangeError);
    expect(await remaining()).toHaveLength(2);
  });
});
