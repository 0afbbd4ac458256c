import type { WebClient } from '@slack/web-api';
import {
  ExtractionError,
  type ExtractionResult,
  type Extractor,
  type ThreadMessage,
} from '../domain/extraction.js';
import type { Logger } from '../logger.js';
import type { TaskStore } from '../tasks/task-store.js';
import { buildSummaryMessage } from './blocks/summary.js';
import { buildTaskCard } from './blocks/task-card.js';
import { toTaskCardModel } from './card-model.js';
import type { ThreadRef } from './permalink.js';
import { slackErrorCode } from './slack-error.js';
import { type ReadThreadOptions, readThread, ThreadAccessError, type ThreadRead } from './thread-reader.js';
import type { UserDirectory } from './user-directory.js';

export type ExtractionSource =
  | { kind: 'thread'; ref: ThreadRef }
  | { kind: 'text'; channel: string; text: string };

export interface ExtractionRequest {
  teamId: string | null;
  userId: string;
  source: ExtractionSource;
  /** Tells the requester something only they see (ephemeral). */
  notify: (text: string) => Promise<void>;
}

/** Cards posted per extraction; a longer list is a sign of a bad extraction, not of real work. */
export const MAX_CARDS = 25;

/** Thread (or text) → extractor → database → summary message and one card per task. */
export class ExtractionFlow {
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly deps: {
      client: WebClient;
      extractor: Extractor;
      store: TaskStore;
      users: UserDirectory;
      defaultRepo: string;
      logger: Logger;
      read?: ReadThreadOptions;
    },
  ) {}

  async run(request: ExtractionRequest): Promise<void> {
    const key =
      request.source.kind === 'thread'
        ? `${request.source.ref.channel}:${request.source.ref.threadTs}`
        : undefined;
    if (key && this.inProgress.has(key)) {
      await request.notify(
        'I am already extracting tasks from that thread; the cards will appear there shortly.',
      );
      return;
    }
    if (key) this.inProgress.add(key);
    try {
      await this.extractAndPost(request, request.source);
    } catch (err) {
      await request.notify(this.explain(err)).catch((notifyErr: unknown) => {
        this.deps.logger.warn({ err: notifyErr }, 'could not tell the user about a failed extraction');
      });
    } finally {
      if (key) this.inProgress.delete(key);
    }
  }

  private async extractAndPost(request: ExtractionRequest, source: ExtractionSource): Promise<void> {
    const { client, extractor, store, users, logger } = this.deps;
    const channel = source.kind === 'thread' ? source.ref.channel : source.channel;
    const read: ThreadRead =
      source.kind === 'thread'
        ? await readThread(client, source.ref, users, this.deps.read)
        : {
            messages: [
              {
                ts: '0',
                user: request.userId,
                userName: await users.name(request.userId),
                text: source.text,
                permalink: null,
              },
            ],
            omitted: 0,
          };
    const messages: ThreadMessage[] = read.messages;
    if (messages.length === 0) {
      await request.notify(
        'That thread has no messages from people that I could read, so there is nothing to extract.',
      );
      return;
    }

    const result: ExtractionResult = await extractor.extract({ messages, source: source.kind });
    const permalink = source.kind === 'thread' ? await this.permalink(source.ref) : null;
    const extracted = result.tasks.slice(0, MAX_CARDS);
    const omittedMessages = read.omitted + result.omittedMessages;
    const truncated = result.truncated || omittedMessages > 0;
    const { discussion, tasks } = await store.createDiscussion(
      {
        teamId: request.teamId,
        channelId: channel,
        threadTs: source.kind === 'thread' ? source.ref.threadTs : null,
        permalink,
        requestedBy: request.userId,
        source: source.kind,
        messageCount: messages.length,
        extractor: result.extractor,
        truncated,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
      },
      extracted,
      this.deps.defaultRepo,
    );
    logger.info(
      {
        discussionId: discussion.id,
        tasks: tasks.length,
        proposedTasks: result.tasks.length,
        messages: messages.length,
        omittedMessages,
        extractor: result.extractor,
      },
      'extracted tasks',
    );

    const summary = buildSummaryMessage({
      taskCount: tasks.length,
      proposedTaskCount: result.tasks.length,
      messageCount: messages.length,
      extractor: result.extractor,
      truncated,
      omittedMessages,
      requestedBy: request.userId,
      source: source.kind,
    });
    const posted = await client.chat.postMessage({
      channel,
      text: summary.text,
      blocks: summary.blocks,
      ...(source.kind === 'thread' ? { thread_ts: source.ref.threadTs } : {}),
      unfurl_links: false,
    });
    const threadTs = source.kind === 'thread' ? source.ref.threadTs : (posted.ts ?? undefined);
    if (posted.ts && threadTs) await store.setSummaryTs(discussion.id, posted.ts, threadTs);

    // Authors were resolved while reading; mentions of anyone else are looked up only up to the
    // directory's bound (thread text can name any number of made-up ids).
    const names = await users.namesFor(
      tasks.flatMap((t) => [t.description, ...t.acceptanceCriteria, t.evidence ?? '']),
      tasks.flatMap((t) => (t.assignee ? [t.assignee] : [])),
    );
    for (const task of tasks) {
      const card = buildTaskCard(
        toTaskCardModel({ ...task, threadTs: threadTs ?? null }, discussion, undefined, names),
      );
      const message = await client.chat.postMessage({
        channel,
        text: card.text,
        blocks: card.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      if (message.ts) await store.setCardMessage(task.id, channel, message.ts);
    }
  }

  private async permalink(ref: ThreadRef): Promise<string | null> {
    try {
      const res = await this.deps.client.chat.getPermalink({
        channel: ref.channel,
        message_ts: ref.threadTs,
      });
      return res.permalink ?? null;
    } catch {
      return null;
    }
  }

  private explain(err: unknown): string {
    if (err instanceof ThreadAccessError || err instanceof ExtractionError) return err.message;
    const code = slackErrorCode(err);
    if (code === 'not_in_channel' || code === 'channel_not_found') {
      return "I can't post in that channel. Invite me first (`/invite @Orchestrator`), then try again.";
    }
    this.deps.logger.error({ err }, 'extraction failed');
    return `Sorry, extracting tasks failed${code ? ` (Slack said \`${code}\`)` : ''}. Please try again; if it keeps failing, tell whoever runs this app (the details are in its log).`;
  }
}
