/** `conversations.replies`, `conversations.history`, `conversations.info`, `conversations.members`, with Slack's paging. */

import { clampLimit, decodeCursor, encodeCursor, inWindow, parseArgs, S, tsValue } from './args.js';
import type { StandInState } from './state.js';
import { ApiError, type Handler } from './types.js';

export function conversationHandlers(state: StandInState): Record<string, Handler> {
  return {
    'conversations.replies': (args) => {
      const a = parseArgs(S.replies, args);
      const channel = state.requireChannel(a.channel);
      state.requireMember(channel);
      const root = state.threadRoot(channel.id, a.ts);
      if (root === undefined) throw new ApiError('thread_not_found');
      const all = state.sorted(channel.id).filter((m) => m.ts === root || m.threadTs === root);
      const parent = all[0];
      const inRange = all.filter((m) => inWindow(m.ts, a.oldest, a.latest, a.inclusive ?? false));
      const limit = clampLimit(a.limit, 1000);
      let start = 0;
      if (a.cursor !== undefined && a.cursor !== '') {
        const from = tsValue(decodeCursor(a.cursor));
        start = inRange.findIndex((m) => tsValue(m.ts) >= from);
        if (start < 0) start = inRange.length;
      }
      const page = inRange.slice(start, start + limit);
      const next = inRange[start + limit];
      // Slack repeats the thread's parent at the top of every page after the first.
      const messages = start > 0 && parent && page[0]?.ts !== parent.ts ? [parent, ...page] : page;
      return {
        messages: messages.map((m) => state.toApi(m)),
        has_more: next !== undefined,
        response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
      };
    },
    'conversations.history': (args) => {
      const a = parseArgs(S.history, args);
      const channel = state.requireChannel(a.channel);
      state.requireMember(channel);
      const top = state
        .sorted(channel.id)
        .filter((m) => m.threadTs === undefined)
        .filter((m) => inWindow(m.ts, a.oldest, a.latest, a.inclusive ?? false))
        .reverse();
      const limit = clampLimit(a.limit, 100);
      let start = 0;
      if (a.cursor !== undefined && a.cursor !== '') {
        const from = tsValue(decodeCursor(a.cursor));
        start = top.findIndex((m) => tsValue(m.ts) <= from);
        if (start < 0) start = top.length;
      }
      const page = top.slice(start, start + limit);
      const next = top[start + limit];
      return {
        messages: page.map((m) => state.toApi(m)),
        has_more: next !== undefined,
        pin_count: 0,
        response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
      };
    },
    'conversations.info': (args) => {
      const a = parseArgs(S.info, args);
      const c = state.requireChannel(a.channel);
      return {
        channel: {
          id: c.id,
          name: c.name,
          name_normalized: c.name,
          is_channel: !c.isPrivate && !c.isIm,
          is_group: false,
          is_im: c.isIm,
          is_mpim: c.isMpim ?? false,
          is_private: c.isPrivate || c.isIm,
          is_archived: false,
          is_general: false,
          is_member: c.botIsMember,
          created: 1_600_000_000,
          context_team_id: state.teamId,
        },
      };
    },
    // Members in the order they joined, paged by an opaque cursor (Slack's default page is 100).
    'conversations.members': (args) => {
      const a = parseArgs(S.members, args);
      const channel = state.requireChannel(a.channel);
      const all =
        channel.members ??
        [...state.users.values()]
          .filter((u) => (u.isBot ? u.id === state.botUserId && channel.botIsMember : true))
          .map((u) => u.id);
      const limit = clampLimit(a.limit, 100);
      let start = 0;
      if (a.cursor !== undefined && a.cursor !== '') {
        const match = /^members:(\d+)$/.exec(Buffer.from(a.cursor, 'base64').toString('utf8'));
        if (!match?.[1]) throw new ApiError('invalid_cursor');
        start = Number(match[1]);
      }
      const next =
        start + limit < all.length ? Buffer.from(`members:${start + limit}`).toString('base64') : '';
      return { members: all.slice(start, start + limit), response_metadata: { next_cursor: next } };
    },
  };
}
