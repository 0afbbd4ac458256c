import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { steps } from '../../db/schema.js';

/**
 * The last image the bot deployed successfully to an environment: read from finished deploy
 * steps in the database, so it survives restarts and stays right after failed deploys (they end
 * rolled back or failed, never "deployed").
 */
export async function lastGoodImage(db: Db, environment: string): Promise<string | null> {
  const rows = await db
    .select({ output: steps.output })
    .from(steps)
    .where(and(eq(steps.agent, 'deploy'), eq(steps.status, 'succeeded')))
    .orderBy(desc(steps.finishedAt))
    .limit(50);
  for (const row of rows) {
    const list = (row.output as { environments?: unknown } | null)?.environments;
    if (!Array.isArray(list)) continue;
    for (const e of list as Array<{ environment?: unknown; result?: unknown; image?: unknown }>) {
      if (e.environment === environment && e.result === 'deployed' && typeof e.image === 'string')
        return e.image;
    }
  }
  return null;
}
