/**
 * Response URLs: handed out with interactions and slash commands, each takes up to five responses
 * (ephemeral, in-channel, `replace_original`, `delete_original`), validated like `chat.postMessage`.
 */

import { randomBytes } from 'node:crypto';
import { validateMessageBlocks } from '../block-validation.js';
import { S } from './args.js';
import type { StandInState } from './state.js';
import {
  clone,
  isObject,
  type Json,
  RESPONSE_URL_MAX_USES,
  type Reply,
  type ResponseUrlRecord,
} from './types.js';

export class ResponseUrls {
  readonly sent: Array<{ url: string; body: Json }> = [];
  private readonly urls = new Map<string, ResponseUrlRecord>();

  constructor(private readonly state: StandInState) {}

  create(channel: string, user: string, threadTs?: string, messageTs?: string): string {
    const token = randomBytes(12).toString('hex');
    this.urls.set(token, { channel, user, threadTs, messageTs, uses: 0 });
    return `${this.state.origin}/response/${token}`;
  }

  handle(url: URL, raw: string): Reply {
    const state = this.state;
    const token = url.pathname.slice('/response/'.length);
    const rec = this.urls.get(token);
    if (!rec) return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (rec.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    }
    if (!isObject(parsed)) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    const result = S.response.safeParse(parsed);
    if (!result.success) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    const body = result.data;
    const blocks = body.blocks;
    const errors = validateMessageBlocks(blocks, body.text);
    if (errors.length > 0) {
      return {
        status: 400,
        body: { ok: false, error: 'invalid_blocks', response_metadata: { messages: errors } },
      };
    }
    rec.uses += 1;
    this.sent.push({ url: url.toString(), body: clone(parsed) });
    const blockList = Array.isArray(blocks) ? blocks : undefined;
    const original = rec.messageTs === undefined ? undefined : state.stored(rec.channel, rec.messageTs);
    if (body.delete_original === true) {
      if (original) state.removeMessage(original);
      return { status: 200, body: { ok: true } };
    }
    if (body.replace_original === true && original) {
      state.editMessage(original, body.text, blockList);
      return { status: 200, body: { ok: true } };
    }
    const threadTs = body.thread_ts ?? rec.threadTs;
    if (body.response_type === 'in_channel') {
      state.insert({
        channel: rec.channel,
        ts: state.nextTs(),
        threadTs: threadTs === undefined ? undefined : state.threadRoot(rec.channel, threadTs),
        user: state.botUserId,
        botId: state.botId,
        text: body.text ?? '',
        ...(blockList ? { blocks: clone(blockList) } : {}),
      });
    } else {
      state.addEphemeral({
        channel: rec.channel,
        user: rec.user,
        text: body.text ?? '',
        blocks: blockList,
        threadTs,
      });
    }
    return { status: 200, body: { ok: true } };
  }
}
