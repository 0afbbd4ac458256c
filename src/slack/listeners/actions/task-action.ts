import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { STALE_CARD_MESSAGE, TaskActionError } from '../../../tasks/task-store.js';
import type { KnownBlock } from '../../blocks/types.js';
import type { SlackDeps } from '../../deps.js';
import { TaskButtonAction, TaskButtonValue } from '../../payloads.js';

export interface TaskClick {
  taskId: string;
  /** The task version the clicked card showed; undefined on a card drawn before versions were carried. */
  version: number | undefined;
  userId: string;
  triggerId: string | undefined;
  channelId: string | undefined;
  /** The version the card showed, or a `stale` refusal when the card carried none. */
  expectedVersion(): number;
  /** Tells the clicker something only they see. */
  notify(text: string, blocks?: KnownBlock[]): Promise<void>;
}

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * The common shape of a button on a task card: ack first, validate the payload, do the work,
 * answer refusals ephemerally (never a stack trace) and refresh the card. A click on an
 * out-of-date card is answered with the current card, so the person sees what changed.
 */
export function taskAction(deps: SlackDeps, work: (click: TaskClick) => Promise<void>) {
  return async ({ ack, body, respond }: ActionArgs): Promise<void> => {
    await ack();
    const parsed = TaskButtonAction.safeParse(body);
    const value = parsed.success ? TaskButtonValue.safeParse(parsed.data.actions[0]?.value) : undefined;
    if (!parsed.success || !value?.success) {
      deps.logger.warn(
        { issues: parsed.success ? value?.error?.issues : parsed.error.issues },
        'malformed task action',
      );
      return;
    }
    const data = parsed.data;
    const { taskId, version } = value.data;
    const click: TaskClick = {
      taskId,
      version,
      userId: data.user.id,
      triggerId: data.trigger_id,
      channelId: data.channel?.id,
      expectedVersion: () => {
        if (version === undefined) throw new TaskActionError(STALE_CARD_MESSAGE, 'stale');
        return version;
      },
      notify: async (text, blocks) => {
        try {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text,
            ...(blocks ? { blocks } : {}),
          });
        } catch {
          if (data.channel)
            await deps.client.chat.postEphemeral({
              channel: data.channel.id,
              user: data.user.id,
              text,
              ...(blocks ? { blocks } : {}),
            });
        }
      },
    };
    try {
      await work(click);
    } catch (err) {
      if (err instanceof TaskActionError && err.code === 'stale') {
        await click.notify(err.message, await deps.cards.preview(click.taskId, err.message));
      } else if (err instanceof TaskActionError) {
        await click.notify(err.message);
      } else {
        deps.logger.error({ err, taskId: click.taskId }, 'task action failed');
        await click.notify('Sorry, that did not work because of an internal error. Please try again.');
      }
    }
    await deps.cards.refresh(click.taskId);
  };
}
