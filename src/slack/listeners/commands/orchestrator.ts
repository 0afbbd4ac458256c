import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { buildSettingsSummary } from '../../blocks/project-settings.js';
import type { SlackDeps } from '../../deps.js';
import { SlashCommand } from '../../payloads.js';
import { openProjectSettings } from '../../project-settings-flow.js';

const WithTrigger = SlashCommand.extend({ trigger_id: z.string().optional() });

/**
 * `/orchestrator`: the channel's settings, to the caller only. `/orchestrator settings`: the
 * settings modal, for admins (trigger_id expires in 3 s, so the modal opens right after ack).
 */
export function orchestratorCommand(deps: SlackDeps) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const parsed = WithTrigger.safeParse(command);
    if (!parsed.success) {
      await ack({ response_type: 'ephemeral', text: 'That request looked malformed; please try again.' });
      return;
    }
    const { user_id: userId, channel_id: channelId, trigger_id: triggerId } = parsed.data;
    const text = parsed.data.text.trim().toLowerCase();
    if (text === '') {
      await ack();
      const settings = await deps.settings.forChannel(channelId);
      await respond({ response_type: 'ephemeral', ...buildSettingsSummary(settings, channelId) });
      return;
    }
    if (text !== 'settings') {
      await ack({
        response_type: 'ephemeral',
        text: '`/orchestrator` shows this channel’s settings; `/orchestrator settings` changes them (admins).',
      });
      return;
    }
    await ack();
    if (!triggerId) {
      await respond({
        response_type: 'ephemeral',
        text: 'Slack did not send what is needed to open a dialog; try again.',
      });
      return;
    }
    try {
      const refused = await openProjectSettings(deps, { userId, triggerId, channelId });
      if (refused) await respond({ response_type: 'ephemeral', text: refused });
    } catch (err) {
      deps.logger.error({ err }, 'opening project settings failed');
      await respond({ response_type: 'ephemeral', text: 'The settings could not be opened; try again.' });
    }
  };
}
