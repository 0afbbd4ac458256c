import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { TaskStore } from '../tasks/task-store.js';
import { buildTaskCard } from './blocks/task-card.js';
import { toTaskCardModel } from './card-model.js';
import type { UserDirectory } from './thread-reader.js';

/**
 * Re-renders a task's card from the database and `chat.update`s it. Calls for one card are
 * coalesced: while an update is in flight, further requests only mark the card dirty, and one
 * more update with the latest state follows. So updates never arrive out of order and the last
 * state always wins.
 */
export class CardPublisher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly client: WebClient,
    private readonly store: TaskStore,
    private readonly users: UserDirectory,
    private readonly logger: Logger,
  ) {}

  /** Schedules a refresh; returns a promise that settles once the latest state is shown. */
  refresh(taskId: string): Promise<void> {
    const running = this.inFlight.get(taskId);
    if (running) {
      this.dirty.add(taskId);
      return running;
    }
    const promise = this.loop(taskId).finally(() => this.inFlight.delete(taskId));
    this.inFlight.set(taskId, promise);
    return promise;
  }

  /** Resolves when no card update is pending. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private async loop(taskId: string): Promise<void> {
    do {
      this.dirty.delete(taskId);
      try {
        await this.publishOnce(taskId);
      } catch (err) {
        this.logger.warn({ err, taskId }, 'could not update task card');
      }
    } while (this.dirty.has(taskId));
  }

  private async publishOnce(taskId: string): Promise<void> {
    const task = await this.store.getTask(taskId);
    if (!task?.messageTs) return;
    const [discussion, latest] = await Promise.all([
      this.store.getDiscussion(task.discussionId),
      this.store.latestRun(taskId),
    ]);
    const names = await this.users.namesFor([
      task.description,
      ...task.acceptanceCriteria,
      task.evidence ?? '',
    ]);
    const card = buildTaskCard(toTaskCardModel(task, discussion, latest, names));
    await this.client.chat.update({
      channel: task.channelId,
      ts: task.messageTs,
      text: card.text,
      blocks: card.blocks,
    });
  }
}
