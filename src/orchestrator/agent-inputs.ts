import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { discussions, steps, tasks } from '../../db/schema.js';
import type { AgentTask } from '../agents/types.js';
import type { AgentName } from '../domain/pipeline.js';
import { taskFieldsOf } from '../tasks/task-fields.js';

/** What an agent is given besides its claim: the task as approved, and earlier steps' outputs. */

export async function previousOutputs(
  db: Db,
  runId: string,
): Promise<Partial<Record<AgentName, Record<string, unknown>>>> {
  const rows = await db
    .select({ agent: steps.agent, output: steps.output })
    .from(steps)
    .where(and(eq(steps.runId, runId), eq(steps.status, 'succeeded')));
  return Object.fromEntries(rows.map((r) => [r.agent, r.output ?? {}]));
}

export async function loadAgentTask(
  db: Db,
  taskId: string,
  resolveUserName?: (userId: string) => Promise<string | null>,
): Promise<AgentTask> {
  const [row] = await db
    .select({ task: tasks, permalink: discussions.permalink })
    .from(tasks)
    .innerJoin(discussions, eq(discussions.id, tasks.discussionId))
    .where(eq(tasks.id, taskId));
  if (!row) throw new Error(`task ${taskId} not found`);
  const t = row.task;
  const assigneeName = t.assignee ? ((await resolveUserName?.(t.assignee)) ?? t.assignee) : null;
  return { ...taskFieldsOf(t), id: t.id, assigneeName, threadLink: row.permalink, evidence: t.evidence };
}
