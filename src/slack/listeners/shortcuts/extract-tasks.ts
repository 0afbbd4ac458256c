import type {
  AllMiddlewareArgs,
  MessageShortcut as BoltMessageShortcut,
  SlackShortcutMiddlewareArgs,
} from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { MessageShortcut } from '../../payloads.js';

/** Message shortcut "Extract tasks": extracts from the thread the message belongs to. */
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
    await notify(
      ':hourglass_flowing_sand: Reading the thread and extracting tasks… the cards will appear in the thread.',
    );
    deps.track(
      deps.extraction.run({
        teamId: team?.id ?? null,
        userId: user.id,
        source: { kind: 'thread', ref: { channel: channel.id, threadTs: message.thread_ts ?? message.ts } },
        notify,
      }),
    );
  };
}
