/**
 * The workspace the stand-in holds: its identity (tokens, bot, team), users, channels, messages and
 * ephemerals, the clock and id sources, and the change listeners the sandbox page follows. The method
 * handlers read and change it only through these helpers, so every change is announced once.
 */

import { randomBytes } from 'node:crypto';
import { byTs } from './args.js';
import {
  ApiError,
  clone,
  type Json,
  type StandInChange,
  type StandInChannel,
  type StandInEphemeral,
  type StandInMessage,
  type StandInOptions,
  type StandInUser,
  type StoredMessage,
} from './types.js';

export class StandInState {
  readonly origin: string;
  readonly token: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly appId: string;
  readonly appToken: string;
  readonly now: () => number;

  readonly users = new Map<string, StandInUser>();
  readonly channels = new Map<string, StandInChannel>();
  readonly ephemeralList: StandInEphemeral[] = [];
  private readonly store = new Map<string, Map<string, StoredMessage>>();
  private readonly listeners = new Set<(event: StandInChange) => void>();
  private lastMicros = 0;
  private idCounter = 0;

  constructor(origin: string, options: StandInOptions) {
    this.origin = origin;
    this.token = options.token ?? 'xoxb-test-token';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    this.teamId = options.teamId ?? 'T0001';
    this.teamDomain = options.teamDomain ?? 'sandbox';
    this.appId = options.appId ?? 'A0SANDBOX';
    this.appToken = options.appToken ?? 'xapp-1-A0SANDBOX-test-token';
    this.now = options.now ?? Date.now;
    this.users.set(this.botUserId, {
      id: this.botUserId,
      name: 'orchestrator',
      realName: 'Orchestrator',
      isBot: true,
    });
  }

  // ---------------------------------------------------------------- clock, ids, change events

  nextTs(): string {
    const micros = Math.max(Math.floor(this.now() * 1000), this.lastMicros + 1);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  nextId(): number {
    this.idCounter += 1;
    return this.idCounter;
  }

  newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  onChange(listener: (event: StandInChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: StandInChange): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a failing UI listener must not break the API
      }
    }
  }

  // ---------------------------------------------------------------- channels

  requireChannel(idOrName: string): StandInChannel {
    const key = idOrName.replace(/^#/, '');
    let channel =
      this.channels.get(key) ?? [...this.channels.values()].find((c) => c.name === key && !c.isIm);
    // Posting to a user ID opens (or reuses) the bot's DM with that user, as Slack does.
    if (!channel && this.users.has(key)) {
      const id = `D${key}`;
      channel = this.channels.get(id) ?? { id, name: id, isPrivate: true, botIsMember: true, isIm: true };
      this.channels.set(id, channel);
    }
    if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new ApiError('channel_not_found');
    return channel;
  }

  requireMember(channel: StandInChannel): void {
    if (!channel.botIsMember) throw new ApiError('not_in_channel');
  }

  permalink(channel: string, ts: string, threadTs?: string): string {
    const base = `https://${this.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
    return threadTs !== undefined && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
  }

  // ---------------------------------------------------------------- messages

  stored(channel: string, ts: string): StoredMessage | undefined {
    return this.store.get(channel)?.get(ts);
  }

  requireMessage(channel: string, ts: string): StoredMessage {
    const m = this.stored(channel, ts);
    if (!m) throw new ApiError('message_not_found');
    return m;
  }

  /** The ts of the thread a message belongs to (itself when top-level); undefined when unknown. */
  threadRoot(channel: string, ts: string): string | undefined {
    const m = this.stored(channel, ts);
    if (!m) return undefined;
    return m.threadTs ?? m.ts;
  }

  sorted(channel: string): StoredMessage[] {
    return [...(this.store.get(channel)?.values() ?? [])].sort(byTs);
  }

  insert(m: StoredMessage): StoredMessage {
    let map = this.store.get(m.channel);
    if (!map) {
      map = new Map();
      this.store.set(m.channel, map);
    }
    const stored: StoredMessage = Object.fromEntries(
      Object.entries(m).filter(([, v]) => v !== undefined),
    ) as unknown as StoredMessage;
    map.set(stored.ts, stored);
    this.emit({
      kind: 'message.posted',
      channel: m.channel,
      ts: m.ts,
      ...(m.user ? { userId: m.user } : {}),
    });
    return stored;
  }

  editMessage(m: StoredMessage, text: string | undefined, blocks: unknown[] | undefined): void {
    if (text !== undefined) m.text = text;
    // chat.update keeps the previous blocks unless new ones are given; [] removes them.
    if (blocks !== undefined) {
      if (blocks.length === 0) delete m.blocks;
      else m.blocks = clone(blocks);
    }
    m.edited = { user: this.botUserId, ts: this.nextTs() };
    this.emit({ kind: 'message.updated', channel: m.channel, ts: m.ts });
  }

  removeMessage(m: StoredMessage): void {
    const hasReplies = m.threadTs === undefined && this.sorted(m.channel).some((r) => r.threadTs === m.ts);
    if (hasReplies) {
      // A parent with replies leaves a tombstone so the thread stays readable.
      m.text = 'This message was deleted.';
      m.subtype = 'tombstone';
      delete m.blocks;
      delete m.botId;
    } else {
      this.store.get(m.channel)?.delete(m.ts);
    }
    this.emit({ kind: 'message.deleted', channel: m.channel, ts: m.ts });
  }

  addEphemeral(e: StandInEphemeral): void {
    this.ephemeralList.push(
      clone({
        channel: e.channel,
        user: e.user,
        text: e.text,
        ...(e.blocks ? { blocks: e.blocks } : {}),
        ...(e.threadTs !== undefined ? { threadTs: e.threadTs } : {}),
      }),
    );
    this.emit({ kind: 'ephemeral.posted', channel: e.channel, userId: e.user });
  }

  publicMessage(m: StoredMessage): StandInMessage {
    const { subtype: _subtype, ...rest } = m;
    return clone(rest);
  }

  /** The message as the Web API returns it (reply counts, `thread_ts`, `bot_id`, …). */
  toApi(m: StoredMessage): Json {
    const out: Json = { type: 'message', ts: m.ts, text: m.text, team: this.teamId };
    if (m.subtype) out.subtype = m.subtype;
    if (m.user !== undefined) out.user = m.user;
    if (m.botId !== undefined) {
      out.bot_id = m.botId;
      out.app_id = this.appId;
    }
    if (m.blocks) out.blocks = clone(m.blocks);
    if (m.edited) out.edited = { ...m.edited };
    if (m.threadTs !== undefined) {
      out.thread_ts = m.threadTs;
      const parent = this.stored(m.channel, m.threadTs);
      if (parent?.user !== undefined) out.parent_user_id = parent.user;
    } else {
      const replies = this.sorted(m.channel).filter((r) => r.threadTs === m.ts);
      const last = replies.at(-1);
      if (last) {
        const users = [...new Set(replies.map((r) => r.user).filter((u): u is string => u !== undefined))];
        out.thread_ts = m.ts;
        out.reply_count = replies.length;
        out.reply_users_count = users.length;
        out.reply_users = users;
        out.latest_reply = last.ts;
      }
    }
    return out;
  }
}
