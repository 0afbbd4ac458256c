import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { auditEvents, type ProjectRow, projectChannels, projects } from '../../db/schema.js';
import { changedFields, type ProjectSettings, parseStoredSettings } from './settings.js';

export interface Project {
  id: string;
  name: string;
  settings: ProjectSettings;
  channels: string[];
  version: number;
  updatedBy: string;
  updatedAt: Date;
  lastChange: string[];
}

export interface ProjectSave {
  /** null: create a new project. */
  projectId: string | null;
  /** The version the modal showed; a save based on an older one is refused. */
  expectedVersion: number | null;
  name: string;
  settings: ProjectSettings;
  channels: string[];
  actor: string;
}

/** A save refused because someone else saved first, or the project was deleted meanwhile. */
export class ProjectConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectConflict';
  }
}

/**
 * Projects and their channel bindings. Every save is one transaction with its audit event
 * (who, when, old → new), so the log never disagrees with what is stored.
 */
export class ProjectStore {
  constructor(private readonly db: Db) {}

  async forChannel(channelId: string): Promise<Project | undefined> {
    const [binding] = await this.db
      .select({ projectId: projectChannels.projectId })
      .from(projectChannels)
      .where(eq(projectChannels.channelId, channelId));
    return binding ? this.get(binding.projectId) : undefined;
  }

  async get(projectId: string): Promise<Project | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(projectId)) return undefined;
    const [row] = await this.db.select().from(projects).where(eq(projects.id, projectId));
    if (!row) return undefined;
    const channels = await this.db
      .select({ channelId: projectChannels.channelId })
      .from(projectChannels)
      .where(eq(projectChannels.projectId, projectId))
      .orderBy(asc(projectChannels.createdAt), asc(projectChannels.channelId));
    return toProject(
      row,
      channels.map((c) => c.channelId),
    );
  }

  /** Every project with its channels, by name (App Home). */
  async list(limit = 50): Promise<Project[]> {
    const rows = await this.db.select().from(projects).orderBy(asc(projects.name)).limit(limit);
    if (rows.length === 0) return [];
    const bindings = await this.db
      .select()
      .from(projectChannels)
      .where(
        inArray(
          projectChannels.projectId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(projectChannels.createdAt), asc(projectChannels.channelId));
    return rows.map((r) =>
      toProject(
        r,
        bindings.filter((b) => b.projectId === r.id).map((b) => b.channelId),
      ),
    );
  }

  /**
   * Creates or updates a project and binds exactly `channels` to it: a listed channel bound to
   * another project moves here; a channel of this project no longer listed goes back to the
   * environment's defaults.
   */
  async save(input: ProjectSave): Promise<Project> {
    const channels = [...new Set(input.channels)];
    if (channels.length === 0) throw new ProjectConflict('A project needs at least one channel.');
    const id = await this.db.transaction(async (tx) => {
      let before: ProjectRow | undefined;
      let projectId: string;
      if (input.projectId) {
        [before] = await tx.select().from(projects).where(eq(projects.id, input.projectId)).for('update');
        if (!before) throw new ProjectConflict('This project was deleted meanwhile; nothing was saved.');
        if (before.version !== input.expectedVersion) {
          throw new ProjectConflict(
            'Someone else changed these settings while you were editing them. Nothing was saved: close this dialog and open it again.',
          );
        }
        projectId = before.id;
      } else {
        const [created] = await tx
          .insert(projects)
          .values({ name: input.name, settings: input.settings, updatedBy: input.actor })
          .returning();
        if (!created) throw new Error('insert project returned nothing');
        projectId = created.id;
      }
      const oldSettings = before ? parseStoredSettings(before.settings) : null;
      const oldChannels = (
        await tx
          .select({ channelId: projectChannels.channelId })
          .from(projectChannels)
          .where(eq(projectChannels.projectId, projectId))
      ).map((c) => c.channelId);
      const changed = changedFields(oldSettings, input.settings);
      if (before && before.name !== input.name) changed.unshift('name');
      if (JSON.stringify([...oldChannels].sort()) !== JSON.stringify([...channels].sort()))
        changed.push('channels');
      if (before) {
        await tx
          .update(projects)
          .set({
            name: input.name,
            settings: input.settings,
            version: before.version + 1,
            updatedBy: input.actor,
            updatedAt: new Date(),
            lastChange: changed,
          })
          .where(and(eq(projects.id, projectId), eq(projects.version, before.version)));
      } else {
        await tx.update(projects).set({ lastChange: changed }).where(eq(projects.id, projectId));
      }
      await tx.delete(projectChannels).where(eq(projectChannels.projectId, projectId));
      await tx.delete(projectChannels).where(inArray(projectChannels.channelId, channels));
      await tx.insert(projectChannels).values(channels.map((channelId) => ({ channelId, projectId })));
      await tx.insert(auditEvents).values({
        actor: input.actor,
        action: 'project_settings',
        detail: {
          projectId,
          changed,
          from: before ? { name: before.name, settings: oldSettings, channels: oldChannels } : null,
          to: { name: input.name, settings: input.settings, channels },
        },
      });
      return projectId;
    });
    const saved = await this.get(id);
    if (!saved) throw new Error('saved project vanished');
    return saved;
  }
}

function toProject(row: ProjectRow, channels: string[]): Project {
  return {
    id: row.id,
    name: row.name,
    settings: parseStoredSettings(row.settings),
    channels,
    version: row.version,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt,
    lastChange: row.lastChange,
  };
}
