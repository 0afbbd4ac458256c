import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { buildHelpMessage } from '../../blocks/help.js';
import type { SlackDeps } from '../../deps.js';
import type { ExtractionTarget } from '../../extraction-flow.js';
import { SlashCommand } from '../../payloads.js';
import { looksLikeSlackLink, parseSlackPermalink } from '../../permalink.js';

/**
 * `/extract <thread link | text>`: answers help and malformed links in the ack; otherwise acks
 * empty and lets the extraction flow check access and limits, then say it is working (or why not).
 */
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
    let target: ExtractionTarget;
    if (looksLikeSlackLink(text)) {
      const link = parseSlackPermalink(text);
      if (!link) {
        await ack({
          response_type: 'ephemeral',
          text: 'That does not look like a Slack message link. Use *Copy link* on the thread’s first message and paste it after `/extract`.',
        });
        return;
      }
      target = { kind: 'link', link };
    } else {
      target = { kind: 'text', text };
    }
    await ack();
    deps.track(
      deps.extraction.run({
        teamId: teamId ?? null,
        userId,
        channel: channelId,
        target,
        notify: async (message) => {
          await respond({ response_type: 'ephemeral', replace_original: false, text: message });
        },
      }),
    );
  };
}
