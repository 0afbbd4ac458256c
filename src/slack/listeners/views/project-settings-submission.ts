import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { ProjectConflict } from '../../../projects/project-store.js';
import { parseProjectSettings } from '../../blocks/parse-project-settings.js';
import type { SlackDeps } from '../../deps.js';
import { PROJECT_FIELDS } from '../../ids.js';
import { NOT_SETTINGS_ADMIN } from '../../project-settings-flow.js';

/**
 * Saves the settings modal. The caller is checked again (the modal's form can be replayed by
 * anyone who saw it); field problems and unreachable repositories are shown under their fields,
 * nothing saved. A save writes the audit log (who, when, old → new) with the change itself.
 */
export function projectSettingsSubmission(deps: SlackDeps) {
  return async ({
    ack,
    view,
    body,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const userId = body.user.id;
    const fail = (errors: Record<string, string>) => ack({ response_action: 'errors', errors });
    if (!(await deps.permissions.mayChangeSettings(userId))) {
      await fail({ [PROJECT_FIELDS.name]: NOT_SETTINGS_ADMIN });
      return;
    }
    const parsed = parseProjectSettings(view);
    if (!parsed.ok) {
      await fail(parsed.errors);
      return;
    }
    const unreachable = await deps.repoAccess.unreachable(parsed.settings.repos);
    if (unreachable.length > 0) {
      await fail({
        [PROJECT_FIELDS.repos]: unreachable
          .map((u) => u.reason)
          .join(' ')
          .slice(0, 300),
      });
      return;
    }
    try {
      await deps.projects.save({
        projectId: parsed.metadata.projectId,
        expectedVersion: parsed.metadata.version,
        name: parsed.name,
        settings: parsed.settings,
        channels: parsed.channels,
        actor: userId,
      });
    } catch (err) {
      if (err instanceof ProjectConflict) {
        await fail({ [PROJECT_FIELDS.name]: err.message.slice(0, 300) });
        return;
      }
      deps.logger.error({ err }, 'saving project settings failed');
      await fail({ [PROJECT_FIELDS.name]: 'Saving failed because of an internal error; try again.' });
      return;
    }
    await ack();
    deps.logger.info({ userId, channels: parsed.channels }, 'project settings saved');
    deps.track(deps.home.publish(userId));
  };
}
