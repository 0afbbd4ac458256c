import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { type Harness, startHarness, textOf, USERS } from '../support/harness.js';

/**
 * Through signed requests: a German thread extracted with the rules gets a summary that says the
 * rules read English only (instead of a bare "no tasks"), and the extraction's cost is recorded.
 */
describe('extraction summary for a thread the rules cannot read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind: 'pglite' });
  });
  afterAll(async () => h.close());

  it('says so on the summary, and records the rules as free', async () => {
    const { threadTs, cards } = await h.extractThread(USERS.lead.id, [
      [USERS.alice.id, 'Das Deployment von gestern Abend hat die Exportfunktion kaputt gemacht.'],
      [USERS.bob.id, 'Ich schaue mir das gleich an und schreibe bis heute Nachmittag einen Test dafür.'],
    ]);
    expect(cards).toEqual([]);
    const [summary] = h.botMessages(threadTs);
    expect(summary?.text).toMatch(/No tasks found in 2 messages/);
    expect(textOf(summary)).toMatch(/German: the rule-based extractor reads English only/);
    expect(textOf(summary)).toMatch(/Claude/);
    const [discussion] = await h.database.db.select().from(schema.discussions);
    expect(discussion).toMatchObject({ extractor: 'rules', costUsd: 0 });
  });
});
