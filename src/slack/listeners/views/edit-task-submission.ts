import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { TaskActionError } from '../../../tasks/task-store.js';
import { parseEditSubmission } from '../../blocks/parse-edit-submission.js';
import type { SlackDeps } from '../../deps.js';

/**
 * Saves the edit modal. Field errors go back to Slack as `response_action: errors` (shown under
 * the fields); a stale edit is refused with an error on the title field, nothing overwritten.
 */
export function editTaskSubmission(deps: SlackDeps) {
  return async ({
    ack,
    view,
    body,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const parsed = parseEditSubmission(view, deps.repos);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    try {
      await deps.store.editTask(parsed.taskId, parsed.version, parsed.fields, body.user.id);
    } catch (err) {
      if (err instanceof TaskActionError) {
        await ack({ response_action: 'errors', errors: { title: err.message.slice(0, 300) } });
        return;
      }
      deps.logger.error({ err }, 'saving an edit failed');
      await ack({
        response_action: 'errors',
        errors: { title: 'Saving failed because of an internal error; try again.' },
      });
      return;
    }
    await ack();
    deps.track(deps.cards.refresh(parsed.taskId));
  };
}
