/** `chat.postMessage`, `chat.update`, `chat.delete`, `chat.postEphemeral`, `chat.getPermalink`. */

import { validateMessageBlocks } from '../block-validation.js';
import { jsonArg, parseArgs, S } from './args.js';
import type { StandInState } from './state.js';
import { ApiError, clone, type Handler, type Json } from './types.js';

export function chatHandlers(state: StandInState): Record<string, Handler> {
  return {
    'chat.postMessage': (args) => {
      const a = parseArgs(S.postMessage, args);
      const channel = state.requireChannel(a.channel);
      state.requireMember(channel);
      const blocks = messageBlocks(args, a.text);
      let threadTs: string | undefined;
      if (a.thread_ts !== undefined && a.thread_ts !== '') {
        threadTs = state.threadRoot(channel.id, a.thread_ts);
        if (threadTs === undefined) throw new ApiError('thread_not_found');
      }
      const m = state.insert({
        channel: channel.id,
        ts: state.nextTs(),
        threadTs,
        user: state.botUserId,
        botId: state.botId,
        text: a.text ?? '',
        ...(blocks ? { blocks } : {}),
      });
      return { channel: channel.id, ts: m.ts, message: state.toApi(m) };
    },
    'chat.update': (args) => {
      const a = parseArgs(S.update, args);
      const channel = state.requireChannel(a.channel);
      const m = state.requireMessage(channel.id, a.ts);
      if (m.user !== state.botUserId) throw new ApiError('cant_update_message');
      const blocks = messageBlocks(args, a.text, m.blocks !== undefined);
      state.editMessage(m, a.text, blocks);
      return { channel: channel.id, ts: m.ts, text: m.text, message: state.toApi(m) };
    },
    'chat.delete': (args) => {
      const a = parseArgs(S.delete, args);
      const channel = state.requireChannel(a.channel);
      const m = state.requireMessage(channel.id, a.ts);
      if (m.user !== state.botUserId) throw new ApiError('cant_delete_message');
      state.removeMessage(m);
      return { channel: channel.id, ts: a.ts };
    },
    'chat.postEphemeral': (args) => {
      const a = parseArgs(S.ephemeral, args);
      const channel = state.requireChannel(a.channel);
      state.requireMember(channel);
      if (!state.users.has(a.user)) throw new ApiError('user_not_found');
      const blocks = messageBlocks(args, a.text);
      const ts = state.nextTs();
      state.addEphemeral({
        channel: channel.id,
        user: a.user,
        text: a.text ?? '',
        blocks,
        threadTs: a.thread_ts,
      });
      return { message_ts: ts };
    },
    'chat.getPermalink': (args) => {
      const a = parseArgs(S.permalink, args);
      const channel = state.requireChannel(a.channel);
      const m = state.requireMessage(channel.id, a.message_ts);
      return { channel: channel.id, permalink: state.permalink(channel.id, m.ts, m.threadTs) };
    },
  };
}

/** Parses and validates `blocks`; a message needs text or blocks (`no_text`). */
function messageBlocks(args: Json, text: string | undefined, hasExisting = false): unknown[] | undefined {
  const blocks = jsonArg(args, 'blocks', 'invalid_blocks_format');
  if (blocks !== undefined && !Array.isArray(blocks)) throw new ApiError('invalid_blocks_format');
  if ((text === undefined || text === '') && (blocks === undefined || blocks.length === 0) && !hasExisting) {
    throw new ApiError('no_text');
  }
  if (text !== undefined && text.length > 40_000) throw new ApiError('msg_too_long');
  const errors = validateMessageBlocks(blocks);
  if (errors.length > 0) throw new ApiError('invalid_blocks', { response_metadata: { messages: errors } });
  return blocks === undefined ? undefined : clone(blocks);
}
