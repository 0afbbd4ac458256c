import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { PermissionService } from '../tasks/permission-service.js';
import type { TaskStore } from '../tasks/task-store.js';
import { safeCut } from './blocks/format.js';

/** Failures told about, remembered so one failure is told once (bounded; a restart may tell again). */
const REMEMBERED = 1000;

/**
 * The card tells the whole channel what failed in plain terms. The person who started the run
 * (an approver) also gets, privately, the actionable detail ("check GITHUB_TOKEN"), which may
 * name configuration or hosts and so stays off the card. App Home shows it to approvers too.
 */
export class FailureNotifier {
  private readonly told = new Set<string>();

  constructor(
    private readonly client: WebClient,
    private readonly store: TaskStore,
    private readonly permissions: PermissionService,
    private readonly logger: Logger,
  ) {}

  /** Called on every change of a task's run; does something only for a newly failed run with a detail. */
  async onChange(taskId: string): Promise<void> {
    try {
      const latest = await this.store.latestRun(taskId);
      const run = latest?.run;
      if (run?.status !== 'failed' || !run.errorDetail) return;
      const key = `${run.id}:${run.finishedAt?.getTime() ?? 0}`;
      if (this.told.has(key)) return;
      this.told.add(key);
      if (this.told.size > REMEMBERED) this.told.delete(this.told.values().next().value ?? key);
      const task = await this.store.getTask(taskId);
      if (!task || !(await this.permissions.isApprover(run.startedBy, task.channelId))) return;
      const title = safeCut(task.title.replace(/\s+/g, ' ').trim() || 'Untitled task', 150);
      await this.client.chat.postEphemeral({
        channel: task.channelId,
        user: run.startedBy,
        ...(task.threadTs ? { thread_ts: task.threadTs } : {}),
        text: `Only you can see this. “${title}” failed. Details for approvers: ${safeCut(run.errorDetail, 1500)}`,
      });
    } catch (err) {
      this.logger.warn({ err, taskId }, 'could not tell the approver why a run failed');
    }
  }
}
