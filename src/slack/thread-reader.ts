import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ThreadMessage } from '../domain/extraction.js';
import { slackErrorCode } from './slack-error.js';

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

export interface ThreadRef {
  channel: string;
  /** The thread's parent ts (or the message itself when it has no thread). */
  threadTs: string;
}

/**
 * Parses a Slack message link: `https://team.slack.com/archives/C123/p1700000000123456`,
 * optionally with `?thread_ts=1700000000.000100` (a reply), optionally wrapped as `<url>` or
 * `<url|label>` the way Slack escapes links in command text.
 */
export function parseSlackPermalink(text: string): ThreadRef | null {
  const match = text
    .trim()
    .match(/^<?(https:\/\/[^\s|>]+\/archives\/([CGD][A-Z0-9]+)\/p(\d{10})(\d{6})(\?[^\s|>]*)?)(\|[^>]*)?>?$/);
  if (!match) return null;
  const [, , channel, seconds, micros, query] = match;
  const ts = `${seconds}.${micros}`;
  const params = new URLSearchParams((query ?? '').replace(/^\?/, '').replace(/&amp;/g, '&'));
  const threadTs = params.get('thread_ts');
  return { channel: channel!, threadTs: threadTs && /^\d+\.\d+$/.test(threadTs) ? threadTs : ts };
}

/** Looks like a link at all (so a broken link gets a specific answer, not extraction of the URL). */
export function looksLikeSlackLink(text: string): boolean {
  return /^<?https?:\/\/\S*slack\.com\/archives\//.test(text.trim());
}

const UserInfo = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});

/** Display names by user id, cached for the process (names change rarely; a stale one is harmless). */
export class UserDirectory {
  private readonly cache = new Map<string, { name: string; at: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly ttlMs = 60 * 60 * 1000,
  ) {}

  async name(userId: string): Promise<string> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.name;
    let name = userId;
    try {
      const parsed = UserInfo.safeParse(await this.client.users.info({ user: userId }));
      if (parsed.success) {
        const u = parsed.data.user;
        name = u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || userId;
      }
    } catch {
      // Unknown or deleted users keep their id as name; extraction still works.
    }
    this.cache.set(userId, { name, at: Date.now() });
    return name;
  }

  /** Names for every `<@U…>` in the texts plus the given ids. */
  async namesFor(texts: string[], ids: Iterable<string> = []): Promise<Record<string, string>> {
    const wanted = new Set(ids);
    for (const text of texts)
      for (const m of text.matchAll(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g)) wanted.add(m[1]!);
    const names: Record<string, string> = {};
    await Promise.all([...wanted].map(async (id) => (names[id] = await this.name(id))));
    return names;
  }
}

const RepliesPage = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        user: z.string().optional(),
        bot_id: z.string().optional(),
        subtype: z.string().optional(),
        text: z.string().optional().default(''),
      }),
    )
    .default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

const ACCESS_MESSAGES: Record<string, string> = {
  not_in_channel:
    "I can't read that channel. Invite me first (type `/invite @Orchestrator` in the channel), then try again.",
  channel_not_found:
    "I can't see that channel. If it is private, invite me first (`/invite @Orchestrator`), then try again.",
  thread_not_found: 'That thread could not be found. Check the link (it may have been deleted).',
  missing_scope:
    'This app is missing a permission to read that conversation; reinstall it from manifest.yml.',
};

/**
 * Reads every message of a thread (all pages), skipping bots (including our own cards),
 * with display names resolved through the directory.
 */
export async function readThread(
  client: WebClient,
  ref: ThreadRef,
  users: UserDirectory,
  options: { maxMessages?: number; permalinkBase?: string } = {},
): Promise<ThreadMessage[]> {
  const max = options.maxMessages ?? 2000;
  const collected: z.infer<typeof RepliesPage>['messages'] = [];
  let cursor: string | undefined;
  do {
    let page: unknown;
    try {
      page = await client.conversations.replies({
        channel: ref.channel,
        ts: ref.threadTs,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
    } catch (err) {
      const code = slackErrorCode(err);
      if (code && ACCESS_MESSAGES[code]) throw new ThreadAccessError(ACCESS_MESSAGES[code], code);
      throw err;
    }
    const parsed = RepliesPage.parse(page);
    collected.push(...parsed.messages);
    cursor = parsed.response_metadata?.next_cursor || undefined;
  } while (cursor && collected.length < max);

  // Every page after the first repeats the parent message: keep each ts once.
  const seen = new Set<string>();
  const unique = collected.filter((m) => !seen.has(m.ts) && seen.add(m.ts));
  const humans = unique.filter((m) => !m.bot_id && m.subtype !== 'bot_message' && m.user);
  const names = await users.namesFor(
    humans.map((m) => m.text),
    humans.map((m) => m.user!),
  );
  return humans.slice(0, max).map((m) => ({
    ts: m.ts,
    user: m.user ?? null,
    userName: names[m.user!] ?? m.user!,
    text: m.text,
    permalink: options.permalinkBase
      ? `${options.permalinkBase}/archives/${ref.channel}/p${m.ts.replace('.', '')}${m.ts === ref.threadTs ? '' : `?thread_ts=${ref.threadTs}`}`
      : null,
  }));
}
