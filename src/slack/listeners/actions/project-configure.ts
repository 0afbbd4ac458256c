import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { buildNoticeModal } from '../../blocks/project-settings.js';
import type { SlackDeps } from '../../deps.js';
import { openProjectSettings } from '../../project-settings-flow.js';

const ConfigureAction = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z.array(z.object({ value: z.string().max(64) })).min(1),
});

/** App Home's Configure button: the project's settings modal, for admins; others are told why not. */
export const projectConfigure =
  (deps: SlackDeps) =>
  async ({ ack, body }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = ConfigureAction.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id: triggerId } = parsed.data;
    const refused = await openProjectSettings(deps, {
      userId: user.id,
      triggerId,
      channelId: null,
      projectId: parsed.data.actions[0]?.value ?? '',
    });
    if (!refused) return;
    // App Home has no channel for an ephemeral message: the refusal opens as a notice only they see.
    await deps.client.views.open({
      trigger_id: triggerId,
      view: buildNoticeModal('Project settings', refused),
    });
  };
