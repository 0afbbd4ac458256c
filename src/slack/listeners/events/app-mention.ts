import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { AppMention } from '../../payloads.js';

/** `@Orchestrator extract` inside a thread extracts from that thread; elsewhere it explains how. */
export function appMention(deps: SlackDeps) {
  return async ({
    event,
    body,
  }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> => {
    const parsed = AppMention.safeParse(event);
    if (!parsed.success || !parsed.data.user || parsed.data.bot_id) return;
    const { user, channel, thread_ts: threadTs, ts } = parsed.data;
    const notify = async (text: string) => {
      await deps.client.chat.postEphemeral({
        channel,
        user,
        text,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    };
    if (!threadTs) {
      await notify(
        'Mention me *inside a thread* (for example `@Orchestrator extract`) and I will turn that thread into tasks. You can also use `/extract <thread link>`.',
      );
      return;
    }
    await notify(':hourglass_flowing_sand: Reading this thread and extracting tasks…');
    const teamId =
      typeof (body as { team_id?: unknown }).team_id === 'string'
        ? (body as { team_id: string }).team_id
        : null;
    deps.track(
      deps.extraction.run({
        teamId,
        userId: user,
        source: { kind: 'thread', ref: { channel, threadTs: threadTs ?? ts } },
        notify,
      }),
    );
  };
}
