import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ThreadMessage } from '../domain/extraction.js';
import type { ThreadRef } from './permalink.js';
import { slackErrorCode } from './slack-error.js';
import type { UserDirectory } from './user-directory.js';

/** A thread the bot cannot read; `message` tells the person what to do about it. */
export class ThreadAccessError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ThreadAccessError';
  }
}

const RawMessage = z.object({
  ts: z.string().regex(/^\d+\.\d+$/),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  text: z.string().optional().default(''),
  reply_count: z.number().int().nonnegative().optional(),
  latest_reply: z
    .string()
    .regex(/^\d+\.\d+$/)
    .optional(),
});
type RawMessage = z.infer<typeof RawMessage>;

const RepliesPage = z.object({
  messages: z.array(RawMessage).default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});
type RepliesPage = z.infer<typeof RepliesPage>;

const ACCESS_MESSAGES: Record<string, string> = {
  not_in_channel:
    "I can't read that channel. Invite me first (type `/invite @Orchestrator` in the channel), then try again.",
  channel_not_found:
    "I can't see that channel. If it is private, invite me first (`/invite @Orchestrator`), then try again.",
  thread_not_found: 'That thread could not be found. Check the link (it may have been deleted).',
  missing_scope:
    'This app is missing a permission to read that conversation; reinstall it from manifest.yml.',
};

export interface ReadThreadOptions {
  /** Text kept in memory at most; the oldest replies (never the parent) are dropped first. */
  maxBytes?: number;
  /** After this long, paging stops and the newest replies are fetched directly (`oldest`). */
  deadlineMs?: number;
  pageSize?: number;
  now?: () => number;
  permalinkBase?: string;
}

export const READ_DEFAULTS = { maxBytes: 1024 * 1024, deadlineMs: 20_000, pageSize: 200 } as const;

/** Calls with `oldest` used to find the newest replies once the deadline has passed. */
const MAX_TAIL_PROBES = 16;
/** Counted per kept message on top of its text (ids, names, the prompt's framing). */
const MESSAGE_OVERHEAD_BYTES = 64;

export interface ThreadRead {
  /** The parent (when a person wrote it) and the newest replies by people, oldest first. */
  messages: ThreadMessage[];
  /** Messages of the thread not in `messages` for lack of room or time (never silently). */
  omitted: number;
}

/** Slack timestamps as integer microseconds (exact below 2^53 until the year 2255). */
function micros(ts: string): number {
  const [sec = '0', frac = '0'] = ts.split('.');
  return Number(sec) * 1e6 + Number(frac.padEnd(6, '0').slice(0, 6));
}

function tsOf(value: number): string {
  return `${Math.floor(value / 1e6)}.${String(value % 1e6).padStart(6, '0')}`;
}

function isHuman(m: RawMessage): boolean {
  return !m.bot_id && m.subtype !== 'bot_message' && m.user !== undefined;
}

/** Replies by people, newest kept: pushing past the byte budget drops the oldest. */
class NewestWithinBytes {
  private items: Array<{ m: RawMessage; bytes: number }> = [];
  private head = 0;
  private bytes = 0;
  dropped = 0;

  constructor(private readonly maxBytes: number) {}

  push(m: RawMessage): void {
    const bytes = Buffer.byteLength(m.text) + MESSAGE_OVERHEAD_BYTES;
    this.items.push({ m, bytes });
    this.bytes += bytes;
    // Keep at least the newest message, however long (the extractor cuts its text to fit).
    while (this.bytes > this.maxBytes && this.items.length - this.head > 1) {
      this.bytes -= this.items[this.head]!.bytes;
      this.head += 1;
      this.dropped += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  values(): RawMessage[] {
    return this.items.slice(this.head).map((i) => i.m);
  }
}

/**
 * Reads a thread: its parent and its newest messages, skipping bots (our own cards included),
 * with authors' display names resolved through the directory.
 *
 * Slack pages `conversations.replies` oldest → newest, and the newest messages are where a
 * discussion's decisions are, so every page is read while memory stays bounded by `maxBytes`
 * (older replies make room). A thread too long to page through before `deadlineMs` gets its
 * newest replies fetched directly, by narrowing `oldest` towards the parent's `latest_reply`.
 * Whatever is left out is counted in `omitted`.
 */
export async function readThread(
  client: WebClient,
  ref: ThreadRef,
  users: UserDirectory,
  options: ReadThreadOptions = {},
): Promise<ThreadRead> {
  const maxBytes = options.maxBytes ?? READ_DEFAULTS.maxBytes;
  const deadlineMs = options.deadlineMs ?? READ_DEFAULTS.deadlineMs;
  const pageSize = options.pageSize ?? READ_DEFAULTS.pageSize;
  const now = options.now ?? Date.now;
  const started = now();

  const fetchPage = async (extra: { cursor?: string; oldest?: string }): Promise<RepliesPage> => {
    try {
      return RepliesPage.parse(
        await client.conversations.replies({
          channel: ref.channel,
          ts: ref.threadTs,
          limit: pageSize,
          ...extra,
        }),
      );
    } catch (err) {
      const code = slackErrorCode(err);
      if (code && ACCESS_MESSAGES[code]) throw new ThreadAccessError(ACCESS_MESSAGES[code], code);
      throw err;
    }
  };

  let parent: RawMessage | undefined;
  let last = -1;
  let seen = 0;
  const replies = new NewestWithinBytes(maxBytes);
  const take = (messages: RawMessage[]) => {
    for (const m of messages) {
      // Slack repeats the parent at the top of every page; pages never go backwards.
      if (parent === undefined) {
        parent = m;
        last = micros(m.ts);
        seen += 1;
        continue;
      }
      if (m.ts === parent.ts || micros(m.ts) <= last) continue;
      last = micros(m.ts);
      seen += 1;
      if (isHuman(m)) replies.push(m);
    }
  };

  /**
   * Past the deadline: finds (binary search on time, between what was read and the parent's
   * `latest_reply`) an `oldest` whose window fits in one page, takes that page, and returns how
   * many messages were skipped in between (from the parent's `reply_count`).
   */
  const readNewest = async (latest: number, total: number): Promise<number> => {
    let lo = last;
    let hi = latest;
    let best: RawMessage[] | undefined;
    let fallback: RawMessage[] | undefined;
    for (let probe = 0, oldest = lo; probe < MAX_TAIL_PROBES && hi - lo > 1; probe++) {
      const window = await fetchPage({ oldest: tsOf(oldest) });
      const newer = window.messages.filter((m) => micros(m.ts) > oldest);
      if (window.has_more || window.response_metadata?.next_cursor) {
        lo = oldest;
        fallback = newer;
      } else {
        hi = oldest;
        best = newer;
        if (newer.length * 2 >= pageSize) break;
      }
      oldest = Math.floor((lo + hi) / 2);
    }
    take(best ?? fallback ?? []);
    return Math.max(0, total - seen);
  };

  let page = await fetchPage({});
  take(page.messages);
  let cursor = page.response_metadata?.next_cursor || undefined;
  let unread = 0;
  while (cursor) {
    const latest = parent?.latest_reply;
    const replyCount = parent?.reply_count;
    // Without the parent's latest_reply and reply_count a jump could not be counted: keep paging.
    if (now() - started > deadlineMs && latest !== undefined && replyCount !== undefined) {
      unread = await readNewest(micros(latest), replyCount + 1);
      break;
    }
    page = await fetchPage({ cursor });
    take(page.messages);
    cursor = page.response_metadata?.next_cursor || undefined;
  }

  const kept = [...(parent && isHuman(parent) ? [parent] : []), ...replies.values()];
  const names = await users.namesFor(
    [],
    kept.map((m) => m.user!),
  );
  const threadTs = parent?.ts ?? ref.threadTs;
  return {
    messages: kept.map((m) => ({
      ts: m.ts,
      user: m.user ?? null,
      userName: names[m.user!] ?? m.user!,
      text: m.text,
      permalink: options.permalinkBase
        ? `${options.permalinkBase}/archives/${ref.channel}/p${m.ts.replace('.', '')}${m.ts === threadTs ? '' : `?thread_ts=${threadTs}`}`
        : null,
    })),
    omitted: replies.dropped + unread,
  };
}
