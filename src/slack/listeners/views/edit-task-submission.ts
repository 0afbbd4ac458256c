import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { TaskActionError } from '../../../tasks/task-store.js';
import { parseEditSubmission } from '../../blocks/parse-edit-submission.js';
import type { SlackDeps } from '../../deps.js';

/** The task id from the modal's metadata, or '' (then the store answers not_found). */
function editedTaskId(view: { private_metadata?: string }): string {
  try {
    const meta: unknown = JSON.parse(view.private_metadata ?? '');
    const id = typeof meta === 'object' && meta !== null && 'taskId' in meta ? meta.taskId : '';
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

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
    // The repositories offered are the task's channel's; the metadata names the task.
    const task = await deps.store.getTask(editedTaskId(view));
    const repos = task ? (await deps.settings.forChannel(task.channelId)).repos : [];
    const parsed = parseEditSubmission(view, repos);
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
