/** Mrkdwn formatting shared by the builders: dates, durations, links, mentions, labels. */
import { escapeMrkdwn, safeMrkdwn } from '../../domain/text.js';
import { clampMrkdwn } from './limits.js';

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/**
 * A Slack user id as a mention. Only for ids our code chose (approver, requester, assignee): text
 * from a thread goes through `safeMrkdwn` instead. Anything that is not an id is shown inert.
 */
export function userMention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : safeMrkdwn(userId);
}

export function isUserId(value: string): boolean {
  return USER_ID.test(value);
}

export function channelMention(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : safeMrkdwn(channelId);
}

/** Slack renders `<!date^…>` in each reader's own time zone; the fallback is UTC ISO. */
export function slackDate(
  date: Date,
  format = '{date_short_pretty} {time}',
  fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
): string {
  const seconds = Math.floor(date.getTime() / 1000);
  if (!Number.isFinite(seconds)) return 'an unknown time';
  return `<!date^${seconds}^${format}|${escapeMrkdwn(fallback)}>`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest > 0 ? `${m} min ${rest} s` : `${m} min`;
}

/** An http(s) URL made safe inside `<…|…>`, or null when it is not one. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  return parsed.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

/**
 * Thread text made safe, then cut to `max`. In this order so a cut never leaves half a mention
 * (`<@U12…`) for the escaping to turn into visible markup.
 */
export function safeCut(text: string, max: number, names: Record<string, string> = {}): string {
  return text.length === 0 ? '' : clampMrkdwn(safeMrkdwn(text, names), max);
}

/** `<url|label>` when the URL is usable, else the label alone. `label` is plain text. */
export function link(url: string | null | undefined, label: string, max = 200): string {
  const safe = safeUrl(url);
  const text = safeCut(label, max).replace(/\|/g, '¦');
  return safe ? `<${safe}|${text}>` : text;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Extracted by rules" or "Extracted by claude-…", for every card and summary. */
export function extractorLabel(extractor: string): string {
  return extractor === 'rules'
    ? 'Extracted by rules (no LLM configured)'
    : `Extracted by ${safeCut(extractor, 100)}`;
}
