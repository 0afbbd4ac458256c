import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../db/index.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from './support/database.js';

describe.each(DATABASE_KINDS)('database on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });

  it('stores a discussion with its tasks and reads them back', async () => {
    const [discussion] = await database.db
      .insert(schema.discussions)
      .values({ channelId: 'C1', requestedBy: 'U1', source: 'text', extractor: 'rules', messageCount: 3 })
      .returning();
    expect(discussion).toBeDefined();
    await database.db.insert(schema.tasks).values({
      discussionId: discussion!.id,
      title: 'Add login rate limit',
      acceptanceCriteria: ['5 tries per minute'],
      labels: ['security'],
      repo: 'acme/web',
      channelId: 'C1',
    });
    const rows = await database.db
      .select()
      .from(schema.tasks)
      .where(eq(schema.tasks.discussionId, discussion!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'proposed',
      version: 1,
      acceptanceCriteria: ['5 tries per minute'],
    });
  });

  it('allows only one live run per task', async () => {
    const [discussion] = await database.db
      .insert(schema.discussions)
      .values({ channelId: 'C1', requestedBy: 'U1', source: 'text', extractor: 'rules' })
      .returning();
    const [task] = await database.db
      .insert(schema.tasks)
      .values({ discussionId: discussion!.id, title: 't', repo: 'a/b', channelId: 'C1' })
      .returning();
    await database.db.insert(schema.runs).values({ taskId: task!.id, startedBy: 'U1' });
    await expect(
      database.db.insert(schema.runs).values({ taskId: task!.id, startedBy: 'U2' }),
    ).rejects.toThrow();
    await database.db.update(schema.runs).set({ status: 'failed' }).where(eq(schema.runs.taskId, task!.id));
    await expect(
      database.db.insert(schema.runs).values({ taskId: task!.id, startedBy: 'U2' }).returning(),
    ).resolves.toHaveLength(1);
  });

  it('truncates between tests', async () => {
    await database.truncate();
    expect(await database.db.select().from(schema.discussions)).toHaveLength(0);
  });
});
