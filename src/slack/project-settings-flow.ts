import { buildProjectSettingsModal } from './blocks/project-settings.js';
import type { SlackDeps } from './deps.js';

export const NOT_SETTINGS_ADMIN =
  'Only workspace admins and owners, and the people named in SLACK_ADMINS, can change project settings. Nothing was changed; ask one of them.';

/**
 * Opens the settings modal for a channel's project, or for a project picked in App Home. The
 * caller is checked first: someone who may not change settings never sees the form. Answers
 * the refusal text, or null once the modal is open.
 */
export async function openProjectSettings(
  deps: Pick<SlackDeps, 'client' | 'permissions' | 'projects' | 'settings'>,
  args: { userId: string; triggerId: string; channelId: string | null; projectId?: string },
): Promise<string | null> {
  if (!(await deps.permissions.mayChangeSettings(args.userId))) return NOT_SETTINGS_ADMIN;
  const project = args.projectId
    ? await deps.projects.get(args.projectId)
    : args.channelId
      ? await deps.projects.forChannel(args.channelId)
      : undefined;
  if (args.projectId && !project) return 'That project no longer exists.';
  const channelId = args.channelId ?? project?.channels[0];
  if (!channelId) return 'Open the settings from a channel: `/orchestrator settings`.';
  const settings = project ? project.settings : await deps.settings.forChannel(channelId);
  const view = buildProjectSettingsModal({
    channelId,
    project: project
      ? {
          id: project.id,
          name: project.name,
          version: project.version,
          channels: project.channels,
          updatedBy: project.updatedBy,
          updatedAt: project.updatedAt,
          lastChange: project.lastChange,
        }
      : null,
    settings,
  });
  await deps.client.views.open({ trigger_id: args.triggerId, view });
  return null;
}
