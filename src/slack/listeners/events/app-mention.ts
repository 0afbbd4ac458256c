import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import type { ExtractionTarget } from '../../extraction-flow.js';
import { AppMention } from '../../payloads.js';
import { looksLikeSlackLink, parseSlackPermalink } from '../../permalink.js';

export const MENTION_HELP =
  'Hi! To turn a thread into tasks, write `@Orchestrator extract` as a reply in it, or use `/extract <thread link>`. Mentioning me without `extract` does nothing else.';
const NOT_IN_THREAD =
  'Mention me *inside a thread* (for example `@Orchestrator extract`) and I will turn that thread into tasks. You can also use `/extract <thread link>`.';
const BAD_LINK =
  'That does not look like a Slack message link. Use *Copy link* on the thread’s first message and paste it after `@Orchestrator extract`.';

/**
 * What follows `extract` when the message says `@Orchestrator extract …` (the keyword right after
 * the bot's mention); null when it does not, so a passing "thanks @Orchestrator!" extracts nothing.
 */
export function extractCommandIn(text: string, botUserId: string | undefined): string | null {
  const bot = botUserId && /^[UW][A-Z0-9]+$/.test(botUserId) ? botUserId : '[UW][A-Z0-9]+';
  const match = new RegExp(`<@${bot}(?:\\|[^>]*)?>[\\s,:]*extract\\b([\\s\\S]*)$`, 'i').exec(text);
  return match ? (match[1] ?? '').trim() : null;
}

/**
 * `@Orchestrator extract` inside a thread extracts from that thread; `@Orchestrator extract <link>`
 * from the linked thread (checked like `/extract <link>`). Without the keyword: short help.
 */
export function appMention(deps: SlackDeps) {
  return async ({
    event,
    body,
    context,
  }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = AppMention.safeParse(event);
    if (!parsed.success || !parsed.data.user || parsed.data.bot_id) return;
    const { user, channel, thread_ts: threadTs, text } = parsed.data;
    const notify = async (message: string) => {
      await deps.client.chat.postEphemeral({
        channel,
        user,
        text: message,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    };
    const rest = extractCommandIn(text, context.botUserId);
    if (rest === null) {
      await notify(MENTION_HELP);
      return;
    }
    const linkText = rest.split(/\s+/).find((word) => looksLikeSlackLink(word));
    let target: ExtractionTarget;
    if (linkText !== undefined) {
      const link = parseSlackPermalink(linkText);
      if (!link) {
        await notify(BAD_LINK);
        return;
      }
      target = { kind: 'link', link };
    } else if (threadTs) {
      target = { kind: 'here', threadTs };
    } else {
      await notify(NOT_IN_THREAD);
      return;
    }
    const teamId =
      typeof (body as { team_id?: unknown }).team_id === 'string'
        ? (body as { team_id: string }).team_id
        : null;
    deps.track(deps.extraction.run({ teamId, userId: user, channel, target, notify }));
  };
}
