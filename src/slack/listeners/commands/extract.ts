import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { buildHelpMessage } from '../../blocks/help.js';
import type { SlackDeps } from '../../deps.js';
import type { ExtractionSource } from '../../extraction-flow.js';
import { SlashCommand } from '../../payloads.js';
import { looksLikeSlackLink, parseSlackPermalink } from '../../permalink.js';

/** `/extract <thread link | text>`: acks at once with a note, extracts after the ack. */
export function extractCommand(deps: SlackDeps) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const parsed = SlashCommand.safeParse(command);
    if (!parsed.success) {
      await ack({ response_type: 'ephemeral', text: 'That request looked malformed; please try again.' });
      return;
    }
    const { user_id: userId, channel_id: channelId, team_id: teamId } = parsed.data;
    const text = parsed.data.text.trim();
    if (text === '' || text === 'help') {
      await ack({ response_type: 'ephemeral', ...buildHelpMessage() });
      return;
    }
    let source: ExtractionSource;
    if (looksLikeSlackLink(text)) {
      const ref = parseSlackPermalink(text);
      if (!ref) {
        await ack({
          response_type: 'ephemeral',
          text: 'That does not look like a Slack message link. Use *Copy link* on the thread’s first message and paste it after `/extract`.',
        });
        return;
      }
      source = { kind: 'thread', ref: { channel: ref.channel, threadTs: ref.threadTs } };
    } else {
      source = { kind: 'text', channel: channelId, text };
    }
    await ack({
      response_type: 'ephemeral',
      text:
        source.kind === 'thread'
          ? ':hourglass_flowing_sand: Reading the thread and extracting tasks… the cards will appear in the thread.'
          : ':hourglass_flowing_sand: Extracting tasks from your text… the cards will appear in this channel.',
    });
    deps.track(
      deps.extraction.run({
        teamId: teamId ?? null,
        userId,
        source,
        notify: async (message) => {
          await respond({ response_type: 'ephemeral', replace_original: false, text: message });
        },
      }),
    );
  };
}
