/** Slack message links: what a person pastes after `/extract`, and what we build for evidence. */

export interface ThreadRef {
  channel: string;
  /** The thread's parent ts (or the message itself when it has no thread). */
  threadTs: string;
}

/** A parsed message link: the thread it points at, and the host it claims to be on. */
export interface SlackLink extends ThreadRef {
  /** Lower-case `host[:port]` of the link (e.g. `acme.slack.com`); checked against the workspace's own. */
  host: string;
}

const ARCHIVES_PATH = /^\/archives\/([CGD][A-Z0-9]{2,})\/p(\d{10})(\d{6})$/;
const TS = /^\d{10}\.\d{6}$/;

/**
 * Parses a Slack message link: `https://team.slack.com/archives/C123/p1700000000123456`,
 * optionally with `?thread_ts=1700000000.000100` (a reply), optionally wrapped as `<url>` or
 * `<url|label>` the way Slack escapes links in command text. The URL is parsed as a URL, so
 * `https://team.slack.com@evil.example/archives/…` names `evil.example` as its host.
 */
export function parseSlackPermalink(text: string): SlackLink | null {
  const wrapped = text.trim().match(/^<([^\s<>|]+)(\|[^<>]*)?>$/);
  const raw = wrapped ? wrapped[1]! : text.trim();
  if (/\s/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw.replace(/&amp;/g, '&'));
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  const match = url.pathname.match(ARCHIVES_PATH);
  if (!match) return null;
  const [, channel, seconds, micros] = match;
  const threadTs = url.searchParams.get('thread_ts');
  return {
    host: url.host.toLowerCase(),
    channel: channel!,
    threadTs: threadTs && TS.test(threadTs) ? threadTs : `${seconds}.${micros}`,
  };
}

/**
 * Looks like a message link at all (so a broken or foreign one gets a specific answer instead
 * of being extracted as free text): any http(s) URL with an `/archives/` path.
 */
export function looksLikeSlackLink(text: string): boolean {
  return /^<?https?:\/\/[^\s/]+\/(\S*\/)?archives\//i.test(text.trim());
}

/**
 * Evidence may be shown as a "source message" link only when it points into the very thread the
 * bot read, in this workspace: same host and channel as the discussion's permalink (which the bot
 * got from `chat.getPermalink`), and the message or its thread is that thread. The link is then
 * rebuilt from its parsed parts, so nothing the thread or the model wrote reaches the card as a
 * URL. Anything else (a URL the model quoted, a look-alike host) is null: shown as a quote.
 */
export function ownEvidenceLink(evidence: string, threadPermalink: string | null): string | null {
  if (!threadPermalink) return null;
  const thread = parseSlackPermalink(threadPermalink);
  const cited = parseSlackPermalink(evidence);
  if (!thread || !cited) return null;
  if (cited.host !== thread.host || cited.channel !== thread.channel || cited.threadTs !== thread.threadTs) {
    return null;
  }
  // The message's own ts (the path), which `parseSlackPermalink` folds into its thread's.
  const wrapped = evidence.trim().match(/^<([^\s<>|]+)(\|[^<>]*)?>$/);
  const raw = (wrapped ? wrapped[1]! : evidence.trim()).replace(/&amp;/g, '&');
  const path = new URL(raw).pathname.match(ARCHIVES_PATH);
  if (!path) return null;
  const ts = `${path[2]}.${path[3]}`;
  const base = `https://${thread.host}/archives/${thread.channel}/p${ts.replace('.', '')}`;
  return ts === thread.threadTs ? base : `${base}?thread_ts=${thread.threadTs}`;
}
