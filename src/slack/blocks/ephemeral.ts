/** Short ephemeral notices: "working on it", refusals and errors. */
import { section } from './elements.js';
import { clampMrkdwn, LIMITS } from './limits.js';
import type { MessagePayload } from './types.js';

export type NoticeKind = 'error' | 'info' | 'working';

const ICON: Record<NoticeKind, string> = {
  error: ':warning:',
  info: ':information_source:',
  working: ':hourglass_flowing_sand:',
};

/**
 * `text` is mrkdwn written by our code (it may hold `<@U…>` or links); any part of it that came
 * from a thread or a person must already have gone through `safeMrkdwn`.
 */
export function buildNoticeMessage(kind: NoticeKind, text: string): MessagePayload {
  const body = text.trim() || (kind === 'error' ? 'Something went wrong.' : 'Working on it…');
  return {
    text: clampMrkdwn(body, LIMITS.fallbackText),
    blocks: [section(`${ICON[kind]} ${body}`)],
  };
}
