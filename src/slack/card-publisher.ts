import type { WebClient } from '@slack/web-api';
import type { TaskGithubLinkRow, TaskRow } from '../../db/schema.js';
import type { Logger } from '../logger.js';
import type { TaskStore } from '../tasks/task-store.js';
import { section } from './blocks/elements.js';
import { clampMrkdwn, LIMITS } from './blocks/limits.js';
import { buildTaskCard } from './blocks/task-card.js';
import type { KnownBlock, MessagePayload } from './blocks/types.js';
import { toTaskCardModel } from './card-model.js';
import type { UserDirectory } from './user-directory.js';

export interface CardPublisherOptions {
  /** At most one chat.update per card per this many ms (default 1000). */
  minIntervalMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
  /** How many times a rate-limited update is tried again before giving up (default 5). */
  maxRateLimitRetries?: number;
  /** The task's issue and PRs as GitHub last reported them (the events intake); none when absent. */
  githubLinks?: (taskId: string) => Promise<TaskGithubLinkRow[]>;
}

export interface CardPublisherStats {
  /** chat.update calls that succeeded. */
  updates: number;
  /** chat.update calls that ended rate-limited (after the client's own retries, if any). */
  rateLimited: number;
}

/** One card's coalescing state. Requests and sends are numbered so a waiter knows when it is covered. */
interface CardState {
  /** Number of the latest refresh() for this card. */
  requested: number;
  /** Every request up to this number is reflected by a sent (or given up) update. */
  covered: number;
  /** When the last chat.update for this card started, for the interval. */
  lastSentAt: number | undefined;
  waiters: Array<{ upTo: number; resolve: () => void }>;
  worker: Promise<void> | undefined;
}

/** After this many idle cards are remembered, the ones outside the interval are forgotten. */
const SWEEP_AT = 500;

/**
 * Re-renders a task's card from the database and `chat.update`s it, coalesced per card:
 * - the first refresh of a quiet card is sent at once;
 * - refreshes within `minIntervalMs` of the last update merge into one update sent when the
 *   interval has passed, rendered from the database at send time, so the latest state wins;
 * - a card's updates are sent one after another, so they never arrive out of order;
 * - a rate-limited update (HTTP 429) is tried again after Retry-After, re-rendered.
 * `refresh()` resolves once an update at least as new as the call went out (or failed for good);
 * `idle()` waits for everything pending, delayed updates included, so nothing is lost at the end.
 */
export class CardPublisher {
  private readonly cards = new Map<string, CardState>();
  private readonly counters: CardPublisherStats = { updates: 0, rateLimited: 0 };
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly maxRateLimitRetries: number;
  private readonly githubLinks: ((taskId: string) => Promise<TaskGithubLinkRow[]>) | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly store: TaskStore,
    private readonly users: UserDirectory,
    private readonly logger: Logger,
    options: CardPublisherOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 5;
    this.githubLinks = options.githubLinks;
  }

  /** Schedules a refresh; resolves once the card shows state at least as new as this call. Never rejects. */
  refresh(taskId: string): Promise<void> {
    const card = this.cardFor(taskId);
    const upTo = ++card.requested;
    const done = new Promise<void>((resolve) => card.waiters.push({ upTo, resolve }));
    card.worker ??= this.work(taskId, card);
    return done;
  }

  /** Resolves when no card update is pending, including updates waiting for their interval. */
  async idle(): Promise<void> {
    for (;;) {
      const workers = [...this.cards.values()].flatMap((c) => (c.worker ? [c.worker] : []));
      if (workers.length === 0) return;
      await Promise.allSettled(workers);
    }
  }

  stats(): CardPublisherStats {
    return { ...this.counters };
  }

  private cardFor(taskId: string): CardState {
    let card = this.cards.get(taskId);
    if (!card) {
      if (this.cards.size >= SWEEP_AT) this.sweep();
      card = { requested: 0, covered: 0, lastSentAt: undefined, waiters: [], worker: undefined };
      this.cards.set(taskId, card);
    }
    return card;
  }

  /** Forgets idle cards whose interval has passed: a new refresh of those would go out at once anyway. */
  private sweep(): void {
    const now = this.now();
    for (const [taskId, card] of this.cards) {
      const quiet = card.lastSentAt === undefined || now - card.lastSentAt >= this.minIntervalMs;
      if (!card.worker && card.waiters.length === 0 && quiet) this.cards.delete(taskId);
    }
  }

  /** Sends updates for one card until every request is covered. */
  private async work(taskId: string, card: CardState): Promise<void> {
    // Yield once, so `card.worker` is assigned before the `finally` below can clear it.
    await Promise.resolve();
    try {
      while (card.covered < card.requested) {
        if (card.lastSentAt !== undefined) {
          const wait = card.lastSentAt + this.minIntervalMs - this.now();
          if (wait > 0) await sleep(wait);
        }
        await this.send(taskId, card);
        const settled = card.waiters.filter((w) => w.upTo <= card.covered);
        card.waiters = card.waiters.filter((w) => w.upTo > card.covered);
        for (const w of settled) w.resolve();
      }
    } finally {
      // In the same tick as the last check: a refresh() after this starts a new worker.
      card.worker = undefined;
    }
  }

  /** One update (with its rate-limit retries); afterwards `covered` includes every request made before it. */
  private async send(taskId: string, card: CardState): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // Requests made up to here are covered: the state is read from the database after this point.
      const upTo = card.requested;
      const startedAt = this.now();
      try {
        const sent = await this.publishOnce(taskId);
        if (sent) {
          this.counters.updates++;
          card.lastSentAt = startedAt;
        }
        card.covered = upTo;
        return;
      } catch (err) {
        card.lastSentAt = startedAt;
        const retryAfterMs = rateLimitDelayMs(err);
        if (retryAfterMs !== undefined) this.counters.rateLimited++;
        if (retryAfterMs === undefined || attempt >= this.maxRateLimitRetries) {
          this.logger.warn({ err, taskId }, 'could not update task card');
          card.covered = upTo;
          return;
        }
        this.logger.info({ taskId, retryAfterMs }, 'task card update rate-limited; trying again');
        if (retryAfterMs > 0) await sleep(retryAfterMs);
      }
    }
  }

  /**
   * The current card without its buttons, headed by `note`: what a person who clicked an
   * out-of-date card is shown (only to them) before they decide again on the real card.
   */
  async preview(taskId: string, note: string): Promise<KnownBlock[] | undefined> {
    try {
      const rendered = await this.render(taskId);
      if (!rendered) return undefined;
      const body = rendered.card.blocks.filter((b) => b.type !== 'actions');
      return [section(clampMrkdwn(`:warning: ${note}`, LIMITS.sectionText)), ...body].slice(
        0,
        LIMITS.messageBlocks,
      );
    } catch (err) {
      this.logger.warn({ err, taskId }, 'could not render a card preview');
      return undefined;
    }
  }

  private async render(taskId: string): Promise<{ task: TaskRow; card: MessagePayload } | undefined> {
    const found = await this.store.taskWithDiscussion(taskId);
    if (!found) return undefined;
    const { task, discussion } = found;
    const latest = await this.store.latestRun(taskId);
    // The assignee's name too: a suggested (not yet approved) assignee is shown by name, not pinged.
    const names = await this.users.namesFor(
      [task.description, ...task.acceptanceCriteria, task.evidence ?? ''],
      task.assignee ? [task.assignee] : [],
    );
    const links = this.githubLinks ? await this.githubLinks(taskId) : [];
    return { task, card: buildTaskCard(toTaskCardModel(task, discussion, latest, names, links)) };
  }

  /** Renders the card from the database and updates it; false when the card was never posted. */
  private async publishOnce(taskId: string): Promise<boolean> {
    const rendered = await this.render(taskId);
    if (!rendered?.task.messageTs) return false;
    const { task, card } = rendered;
    await this.client.chat.update({
      channel: task.channelId,
      ts: task.messageTs!,
      text: card.text,
      blocks: card.blocks,
    });
    return true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * How long to wait before trying a rate-limited call again, or undefined when `err` is not a rate
 * limit. A client with `rejectRateLimitedCalls` throws `slack_webapi_rate_limited_error` with
 * `retryAfter` (seconds) at once: we wait. Otherwise (Bolt's client) the client itself waited out
 * Retry-After and retried per its retryConfig, then threw a `slack_webapi_request_error` whose
 * `original` is "A rate limit was exceeded …": no need to wait again.
 */
export function rateLimitDelayMs(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; retryAfter?: unknown; message?: unknown; original?: unknown };
  if (e.code === 'slack_webapi_rate_limited_error') {
    return typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter * 1000 : 1000;
  }
  const original =
    typeof e.original === 'object' && e.original !== null ? (e.original as { message?: unknown }) : e;
  if (typeof original.message === 'string' && /^A rate limit was exceeded\b/.test(original.message)) return 0;
  return undefined;
}
