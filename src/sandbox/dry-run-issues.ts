/**
 * Read-only view of the GitHub issues a dry run would have created (ticket steps that succeeded with
 * `output.dryRun`), for the sandbox page. Step output is JSON from the database: parsed leniently.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Db, schema } from '../../db/index.js';

export interface DryRunIssue {
  stepId: string;
  runId: string;
  taskId: string;
  taskTitle: string;
  repo: string;
  title: string;
  body: string;
  channelId: string;
  messageTs: string | null;
  createdAt: string;
}

const TicketOutput = z.object({
  repo: z.string().optional(),
  title: z.string().optional(),
  body: z.string().nullable().optional(),
});

export async function listDryRunIssues(db: Db, limit = 50): Promise<DryRunIssue[]> {
  const { steps, runs, tasks } = schema;
  const rows = await db
    .select({
      stepId: steps.id,
      runId: steps.runId,
      output: steps.output,
      finishedAt: steps.finishedAt,
      createdAt: steps.createdAt,
      taskId: tasks.id,
      taskTitle: tasks.title,
      repo: tasks.repo,
      channelId: tasks.channelId,
      messageTs: tasks.messageTs,
    })
    .from(steps)
    .innerJoin(runs, eq(steps.runId, runs.id))
    .innerJoin(tasks, eq(runs.taskId, tasks.id))
    .where(
      and(eq(steps.agent, 'ticket'), eq(steps.status, 'succeeded'), sql`${steps.output}->>'dryRun' = 'true'`),
    )
    .orderBy(desc(steps.createdAt))
    .limit(limit);
  return rows.map((r) => {
    const o = TicketOutput.safeParse(r.output ?? {});
    const out = o.success ? o.data : {};
    return {
      stepId: r.stepId,
      runId: r.runId,
      taskId: r.taskId,
      taskTitle: r.taskTitle,
      repo: out.repo ?? r.repo,
      title: out.title ?? r.taskTitle,
      body: out.body ?? '',
      channelId: r.channelId,
      messageTs: r.messageTs,
      createdAt: (r.finishedAt ?? r.createdAt).toISOString(),
    };
  });
}
