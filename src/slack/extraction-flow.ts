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
import type { ExtractionLimits } from './extraction-limits.js';
import type { SlackLink, ThreadRef } from './permalink.js';
import { slackErrorCode } from './slack-error.js';
import type { ThreadAccessGuard } from './thread-access.js';
import { type ReadThreadOptions, readThread, ThreadAccessError, type ThreadRead } from './thread-reader.js';
import type { UserDirectory } from './user-directory.js';

/** What a person pointed at, as each surface lets them. */
export type ExtractionTarget =
  /** A link pasted after `/extract` (or `@Orchestrator extract`): any conversation, so it is checked. */
  | { kind: 'link'; link: SlackLink }
  /** The thread the request was made in (message shortcut, mention in a thread). */
  | { kind: 'here'; threadTs: string }
  /** Free text typed after `/extract`. */
  | { kind: 'text'; text: string };

export type ExtractionSource =
  | { kind: 'thread'; ref: ThreadRef }
  | { kind: 'text'; channel: string; text: string };

export interface ExtractionRequest {
  teamId: string | null;
  userId: string;
  /** The conversation the request was made in: the person is in it. */
  channel: string;
  target: ExtractionTarget;
  /** Tells the requester something only they see (ephemeral). */
  notify: (text: string) => Promise<void>;
}

/** Cards posted per extraction; a longer list is a sign of a bad extraction, not of real work. */
export const MAX_CARDS = 25;

/**
 * Request → who may read what → rate limits → thread → extractor → database → summary message
 * and one card per task. Every refusal is ephemeral and says nothing about the target's content.
 */
export class ExtractionFlow {
  constructor(
    private readonly deps: {
      client: WebClient;
      extractor: Extractor;
      store: TaskStore;
      users: UserDirectory;
      access: ThreadAccessGuard;
      limits: ExtractionLimits;
      /**
       * The repository new tasks of a channel get: its project's default, else the environment's.
       * Never taken from thread text.
       */
      defaultRepoFor: (channelId: string) => Promise<string>;
      logger: Logger;
      read?: ReadThreadOptions;
    },
  ) {}

  async run(request: ExtractionRequest): Promise<void> {
    try {
      const source = await this.resolve(request);
      if (!source.ok) {
        await request.notify(source.reason);
        return;
      }
      const thread = source.source.kind === 'thread' ? source.source.ref : null;
      const decision = await this.deps.limits.reserve(request.userId, thread);
      if (!decision.ok) {
        await request.notify(decision.reason);
        return;
      }
      try {
        await request
          .notify(
            thread
              ? ':hourglass_flowing_sand: Reading the thread and extracting tasks… the cards will appear in the thread.'
              : ':hourglass_flowing_sand: Extracting tasks from your text… the cards will appear in this channel.',
          )
          .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not send the "working on it" note'));
        await this.extractAndPost(request, source.source);
      } finally {
        decision.reservation.release();
      }
    } catch (err) {
      await request.notify(this.explain(err)).catch((notifyErr: unknown) => {
        this.deps.logger.warn({ err: notifyErr }, 'could not tell the user about a failed extraction');
      });
    }
  }

  private async resolve(
    request: ExtractionRequest,
  ): Promise<{ ok: true; source: ExtractionSource } | { ok: false; reason: string }> {
    const { target } = request;
    switch (target.kind) {
      case 'text':
        return { ok: true, source: { kind: 'text', channel: request.channel, text: target.text } };
      case 'here':
        return {
          ok: true,
          source: { kind: 'thread', ref: { channel: request.channel, threadTs: target.threadTs } },
        };
      case 'link': {
        const decision = await this.deps.access.checkLink(target.link, request.userId, request.channel);
        return decision.ok ? { ok: true, source: { kind: 'thread', ref: decision.ref } } : decision;
      }
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
        costUsd: result.usage.costUsd ?? null,
      },
      extracted,
      await this.deps.defaultRepoFor(channel),
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
      ...(result.notice ? { notice: result.notice } : {}),
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
