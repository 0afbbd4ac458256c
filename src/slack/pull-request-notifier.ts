import type { WebClient } from '@slack/web-api';
import type { EffectLedger } from '../agents/types.js';
import type { Logger } from '../logger.js';
import type { TaskStore } from '../tasks/task-store.js';
import { codeStepOutcome } from './blocks/code-step.js';
import { safeCut, safeUrl } from './blocks/format.js';

/**
 * One reply in the task's thread when its code step opened a pull request (the card shows the
 * link too; the reply is what notifies the thread). Once per PR, across restarts and processes:
 * the effects ledger remembers the reply before it is posted.
 */
export class PullRequestNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly store: TaskStore,
    private readonly ledger: EffectLedger,
    private readonly logger: Logger,
  ) {}

  async onChange(taskId: string): Promise<void> {
    try {
      const latest = await this.store.latestRun(taskId);
      const step = latest?.steps.find((s) => s.agent === 'code' && s.status === 'succeeded');
      const outcome = step ? codeStepOutcome(step.output) : null;
      const url = outcome?.pr ? safeUrl(outcome.pr.url) : null;
      if (!outcome?.pr || !url) return;
      const key = `task:${taskId}:code_pr:reply:${outcome.pr.number}`;
      if (await this.ledger.get(key)) return;
      await this.ledger.begin(key, 'slack_reply');
      const task = await this.store.getTask(taskId);
      if (!task?.threadTs) return;
      const title = safeCut(task.title.replace(/\s+/g, ' ').trim() || 'Untitled task', 150);
      const wip = outcome.stoppedBy ? ' (work in progress: the agent ran out of budget)' : '';
      const res = await this.client.chat.postMessage({
        channel: task.channelId,
        thread_ts: task.threadTs,
        text: `${outcome.mode === 'delegate' ? 'Pull request' : 'Draft pull request'} for “${title}”: <${url}|#${outcome.pr.number}>${wip}`,
        unfurl_links: false,
      });
      await this.ledger.complete(key, res.ts ?? null, { ts: res.ts ?? null });
    } catch (err) {
      this.logger.warn({ err, taskId }, 'could not post the pull request in the thread');
    }
  }
}
