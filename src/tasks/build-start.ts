/**
 * Phase 3's trigger: a task's pull request merged (webhook or poll) starts a build run for the
 * task. One build per merge commit: the step's idempotency key names the SHA and is unique, so the
 * same merge reported twice (redelivery, webhook and poll) starts one run, even at once.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { auditEvents, runs, steps, tasks } from '../../db/schema.js';
import { type AgentName, BUILD_STEPS, buildIdempotencyKey, idempotencyKey } from '../domain/pipeline.js';
import type { GitHubEvent } from '../github-events/events.js';
import type { Subscription } from '../github-events/intake.js';
import type { TaskLinkStore } from '../github-events/task-links.js';
import type { Logger } from '../logger.js';

export interface BuildStarterOptions {
  db: Db;
  links: TaskLinkStore;
  logger: Logger;
  /** null: no build configured, merges only show on the card. */
  workflow: string | null;
  /** The run's steps: build, then deploy when environments are configured. */
  steps?: readonly AgentName[];
  /** A run was queued for the task. */
  onStarted: (taskId: string, runId: string) => void;
}

export type BuildStartResult =
  | { started: true; runId: string }
  | { started: false; reason: 'no-workflow' | 'not-a-task' | 'duplicate' | 'busy' | 'no-sha' };

export class BuildStarter {
  constructor(private readonly o: BuildStarterOptions) {}

  subscription(): Subscription {
    return {
      name: 'build-start',
      kinds: ['pull.closed'],
      handle: async (event) => {
        const result = await this.onEvent(event);
        this.o.logger.info({ key: event.key, ...result }, 'merged pull request: build start');
      },
    };
  }

  async onEvent(event: GitHubEvent): Promise<BuildStartResult | { started: false; reason: 'not-merged' }> {
    if (event.kind !== 'pull.closed' || !event.pull.merged) return { started: false, reason: 'not-merged' };
    if (!this.o.workflow) return { started: false, reason: 'no-workflow' };
    const sha = event.pull.mergeCommitSha;
    if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return { started: false, reason: 'no-sha' };
    const link = await this.o.links.byNumber(event.repo, event.pull.number);
    const taskId =
      link?.kind === 'pull' ? link.taskId : await this.o.links.taskOfBranch(event.repo, event.pull.headRef);
    if (!taskId) return { started: false, reason: 'not-a-task' };
    return this.start(taskId, { repo: event.repo, pull: event.pull.number, sha }, event.actor);
  }

  async start(
    taskId: string,
    trigger: { repo: string; pull: number; sha: string },
    actor: string | null,
  ): Promise<BuildStartResult> {
    const key = buildIdempotencyKey(taskId, trigger);
    const [seen] = await this.o.db.select({ id: steps.id }).from(steps).where(eq(steps.idempotencyKey, key));
    if (seen) return { started: false, reason: 'duplicate' };
    try {
      const runId = await this.o.db.transaction(async (tx) => {
        // The person who started the task's work stays its requester (deploy gates refuse self-approval).
        const [previous] = await tx
          .select({ startedBy: runs.startedBy })
          .from(runs)
          .where(eq(runs.taskId, taskId))
          .orderBy(desc(runs.createdAt))
          .limit(1);
        const [claimed] = await tx
          .update(tasks)
          .set({ status: 'running', version: sql`${tasks.version} + 1`, updatedAt: new Date() })
          .where(and(eq(tasks.id, taskId), inArray(tasks.status, ['done', 'failed', 'cancelled'])))
          .returning({ id: tasks.id });
        if (!claimed) return null;
        const [run] = await tx
          .insert(runs)
          .values({ taskId, startedBy: previous?.startedBy ?? 'github', status: 'queued' })
          .returning({ id: runs.id });
        if (!run) throw new Error('insert run returned nothing');
        await tx.insert(steps).values(
          (this.o.steps ?? BUILD_STEPS).map((agent, position) => ({
            runId: run.id,
            agent,
            position,
            idempotencyKey: agent === 'build' ? key : idempotencyKey(run.id, agent),
          })),
        );
        await tx.insert(auditEvents).values({
          taskId,
          actor: actor ? `github:${actor}` : 'github',
          action: 'build',
          detail: { runId: run.id, ...trigger },
        });
        return run.id;
      });
      if (!runId) return { started: false, reason: 'busy' };
      this.o.onStarted(taskId, runId);
      return { started: true, runId };
    } catch (err) {
      if (isUniqueViolation(err)) return { started: false, reason: 'duplicate' };
      throw err;
    }
  }
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
