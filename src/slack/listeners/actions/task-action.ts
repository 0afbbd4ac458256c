import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { TaskActionError } from '../../../tasks/task-store.js';
import type { SlackDeps } from '../../deps.js';
import { TaskButtonAction } from '../../payloads.js';

export interface TaskClick {
  taskId: string;
  userId: string;
  triggerId: string | undefined;
  channelId: string | undefined;
  /** Tells the clicker something only they see. */
  notify(text: string): Promise<void>;
}

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * The common shape of a button on a task card: ack first, validate the payload, do the work,
 * answer refusals ephemerally (never a stack trace) and refresh the card.
 */
export function taskAction(deps: SlackDeps, work: (click: TaskClick) => Promise<void>) {
  return async ({ ack, body, respond }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = TaskButtonAction.safeParse(body);
    if (!parsed.success || !parsed.data.actions[0]?.value) {
      deps.logger.warn(
        { issues: parsed.success ? 'no value' : parsed.error.issues },
        'malformed task action',
      );
      return;
    }
    const data = parsed.data;
    const click: TaskClick = {
      taskId: data.actions[0]!.value!,
      userId: data.user.id,
      triggerId: data.trigger_id,
      channelId: data.channel?.id,
      notify: async (text) => {
        try {
          await respond({ response_type: 'ephemeral', replace_original: false, text });
        } catch {
          if (data.channel)
            await deps.client.chat.postEphemeral({ channel: data.channel.id, user: data.user.id, text });
        }
      },
    };
    try {
      await work(click);
    } catch (err) {
      if (err instanceof TaskActionError) {
        await click.notify(err.message);
      } else {
        deps.logger.error({ err, taskId: click.taskId }, 'task action failed');
        await click.notify('Sorry, that did not work because of an internal error. Please try again.');
      }
    }
    await deps.cards.refresh(click.taskId);
  };
}
