/**
 * Reads the project settings modal's view_submission back. The body comes from Slack, so zod
 * checks its shape; the settings themselves go through `ProjectSettingsSchema`, and each problem
 * is keyed by the block it belongs to (`response_action: 'errors'`).
 */
import { z } from 'zod';
import { type ProjectSettings, ProjectSettingsSchema } from '../../projects/settings.js';
import { PROJECT_FIELDS } from '../ids.js';
import type { ProjectSettingsMetadata } from './project-settings.js';

export type ProjectSubmission =
  | {
      ok: true;
      metadata: ProjectSettingsMetadata;
      name: string;
      channels: string[];
      settings: ProjectSettings;
    }
  | { ok: false; errors: Record<string, string> };

const viewShape = z.object({
  private_metadata: z.string(),
  state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
});

const metadataShape = z.object({
  channelId: z.string().min(1).max(64),
  projectId: z.string().max(64).nullable(),
  version: z.number().int().positive().nullable(),
}) satisfies z.ZodType<ProjectSettingsMetadata>;

const textInput = z.object({ value: z.string().nullable().optional() });
const conversations = z.object({ selected_conversations: z.array(z.string()).nullable().optional() });
const users = z.object({ selected_users: z.array(z.string()).nullable().optional() });
const checkboxes = z.object({
  selected_options: z
    .array(z.object({ value: z.string() }))
    .nullable()
    .optional(),
});
const select = z.object({ selected_option: z.object({ value: z.string() }).nullable().optional() });

/** Which block shows an error about which settings field. */
const FIELD_BLOCK: Record<string, string> = {
  repos: PROJECT_FIELDS.repos,
  defaultRepo: PROJECT_FIELDS.repos,
  baseBranch: PROJECT_FIELDS.baseBranch,
  recipients: PROJECT_FIELDS.recipients,
  'approvers.users': PROJECT_FIELDS.approverUsers,
  'approvers.usergroups': PROJECT_FIELDS.approverGroups,
  guidelines: PROJECT_FIELDS.guidelines,
  steps: PROJECT_FIELDS.steps,
  codeAgentMode: PROJECT_FIELDS.codeAgentMode,
  buildWorkflow: PROJECT_FIELDS.buildWorkflow,
  deployEnvironments: PROJECT_FIELDS.deployEnvironments,
  'budgets.perRunUsd': PROJECT_FIELDS.budgetPerRun,
  'budgets.monthlyUsd': PROJECT_FIELDS.budgetMonthly,
};

const LABELS: Record<string, string> = {
  repos: 'Repositories',
  defaultRepo: 'Default repository',
  recipients: 'Recipients',
  'budgets.perRunUsd': 'Budget',
  'budgets.monthlyUsd': 'Budget',
};

/** Splits a list people type: commas, new lines or spaces; blanks dropped, duplicates kept once. */
export function splitList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
}

export function parseProjectSettings(view: unknown): ProjectSubmission {
  const shape = viewShape.safeParse(view);
  if (!shape.success) return { ok: false, errors: { [PROJECT_FIELDS.name]: 'That form looked malformed.' } };
  let metadata: ProjectSettingsMetadata;
  try {
    metadata = metadataShape.parse(JSON.parse(shape.data.private_metadata));
  } catch {
    return { ok: false, errors: { [PROJECT_FIELDS.name]: 'That form looked malformed; open it again.' } };
  }
  const values = shape.data.state.values;
  const raw = (field: string): unknown => values[field]?.[field];
  const text = (field: string): string => textInput.safeParse(raw(field)).data?.value?.trim() ?? '';
  const number = (field: string): number | null => {
    const t = text(field);
    return t === '' ? null : Number(t);
  };

  const errors: Record<string, string> = {};
  const name = text(PROJECT_FIELDS.name).replace(/\s+/g, ' ');
  if (name.length === 0) errors[PROJECT_FIELDS.name] = 'Give the project a name.';
  if (name.length > 80) errors[PROJECT_FIELDS.name] = 'At most 80 characters.';
  const channels = conversations.safeParse(raw(PROJECT_FIELDS.channels)).data?.selected_conversations ?? [];
  if (channels.length === 0) errors[PROJECT_FIELDS.channels] = 'Pick at least one channel.';

  const repos = splitList(text(PROJECT_FIELDS.repos));
  const workflow = text(PROJECT_FIELDS.buildWorkflow);
  const candidate = {
    repos,
    defaultRepo: repos[0] ?? '',
    baseBranch: text(PROJECT_FIELDS.baseBranch) || 'main',
    recipients: splitList(text(PROJECT_FIELDS.recipients)),
    approvers: {
      users: users.safeParse(raw(PROJECT_FIELDS.approverUsers)).data?.selected_users ?? [],
      usergroups: splitList(text(PROJECT_FIELDS.approverGroups)),
    },
    guidelines: text(PROJECT_FIELDS.guidelines),
    steps: (checkboxes.safeParse(raw(PROJECT_FIELDS.steps)).data?.selected_options ?? []).map((o) => o.value),
    codeAgentMode:
      select.safeParse(raw(PROJECT_FIELDS.codeAgentMode)).data?.selected_option?.value ?? 'builtin',
    buildWorkflow: workflow === '' ? null : workflow,
    deployEnvironments: splitList(text(PROJECT_FIELDS.deployEnvironments)),
    budgets: {
      perRunUsd: number(PROJECT_FIELDS.budgetPerRun),
      monthlyUsd: number(PROJECT_FIELDS.budgetMonthly),
    },
  };
  const parsed = ProjectSettingsSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p) => typeof p === 'string').join('.');
      const block = FIELD_BLOCK[path] ?? PROJECT_FIELDS.name;
      const label = LABELS[path];
      errors[block] ??= `${label ? `${label}: ` : ''}${issue.message}`.slice(0, 300);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, metadata, name, channels, settings: parsed.data };
}
