import type {
  AllMiddlewareArgs,
  MessageShortcut as BoltMessageShortcut,
  SlackShortcutMiddlewareArgs,
} from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { MessageShortcut } from '../../payloads.js';

/**
 * Message shortcut "Extract tasks": extracts from the thread of the message it was used on. A
 * person can only use it on a message they are looking at, so the thread is always in the
 * conversation they are in; rate limits still apply (in the extraction flow).
 */
export function extractTasksShortcut(deps: SlackDeps) {
  return async ({
    shortcut,
    ack,
    respond,
  }: SlackShortcutMiddlewareArgs<BoltMessageShortcut> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = MessageShortcut.safeParse(shortcut);
    if (!parsed.success) return;
    const { user, channel, message, team } = parsed.data;
    const notify = async (text: string) => {
      try {
        await respond({ response_type: 'ephemeral', text });
      } catch {
        await deps.client.chat.postEphemeral({ channel: channel.id, user: user.id, text });
      }
    };
    deps.track(
      deps.extraction.run({
        teamId: team?.id ?? null,
        userId: user.id,
        channel: channel.id,
        target: { kind: 'here', threadTs: message.thread_ts ?? message.ts },
        notify,
      }),
    );
  };
}
