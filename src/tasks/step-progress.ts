import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { steps } from '../../db/schema.js';
import type { AgentName } from '../domain/pipeline.js';

/**
 * A long step's progress, kept in its `output` while it runs (the runner overwrites it with the
 * real output when the step ends; later steps read only outputs of succeeded steps). Written
 * only while the step is running, so a late report never clobbers a final output.
 */
export async function writeStepProgress(
  db: Db,
  runId: string,
  agent: AgentName,
  progress: Record<string, unknown>,
): Promise<void> {
  await db
    .update(steps)
    .set({ output: progress })
    .where(and(eq(steps.runId, runId), eq(steps.agent, agent), eq(steps.status, 'running')));
}
