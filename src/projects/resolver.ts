import { z } from 'zod';
import type { ProjectStore } from './project-store.js';
import {
  type EnvironmentDefaults,
  environmentSettings,
  hasOwnApprovers,
  ProjectSettingsSchema,
  type ResolvedSettings,
} from './settings.js';

/**
 * What the rest of the bot reads: the settings a channel's tasks run under. Phases 2–4 (code
 * agent mode, base branch, build workflow, deploy environments, budgets, guidelines) read them
 * here too, through `forTask`, which answers the settings frozen when the task was approved.
 */
export interface ProjectSettingsResolver {
  forChannel(channelId: string): Promise<ResolvedSettings>;
  forTask(task: { channelId: string; projectSettings: unknown }): Promise<ResolvedSettings>;
}

const SnapshotSchema = z.intersection(
  ProjectSettingsSchema,
  z.object({
    source: z.enum(['project', 'environment']),
    projectId: z.string().nullable(),
    projectName: z.string().nullable(),
  }),
);

export class ProjectResolver implements ProjectSettingsResolver {
  constructor(
    private readonly projects: ProjectStore,
    private readonly env: EnvironmentDefaults,
  ) {}

  async forChannel(channelId: string): Promise<ResolvedSettings> {
    const project = await this.projects.forChannel(channelId);
    if (!project) return environmentSettings(this.env);
    const s = project.settings;
    return {
      ...s,
      // A project that names no approvers keeps the environment's rule (SLACK_APPROVERS, else admins).
      approvers: hasOwnApprovers(s) ? s.approvers : { users: [...this.env.approvers], usergroups: [] },
      source: 'project',
      projectId: project.id,
      projectName: project.name,
    };
  }

  /** The snapshot taken at approval when there is one; otherwise the channel's current settings. */
  async forTask(task: { channelId: string; projectSettings: unknown }): Promise<ResolvedSettings> {
    if (task.projectSettings != null) {
      const parsed = SnapshotSchema.safeParse(task.projectSettings);
      if (parsed.success) return parsed.data;
    }
    return this.forChannel(task.channelId);
  }
}
