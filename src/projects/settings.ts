import { z } from 'zod';

/**
 * A project's settings: what a channel's tasks run against. Pure (no I/O); stored as JSON in
 * `projects.settings` and frozen on a task at approval, so every reader parses with this schema.
 */

export const PIPELINE_STEPS = ['ticket', 'email', 'code', 'build', 'deploy'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** `builtin`: the bot's own tool loop; `delegate`: hand the task to an outside coding agent. */
export const CODE_AGENT_MODES = ['builtin', 'delegate'] as const;
export type CodeAgentMode = (typeof CODE_AGENT_MODES)[number];

export const REPO_NAME = /^[\w.-]+\/[\w.-]+$/;
const SLACK_USER = /^[UW][A-Z0-9]+$/;
const SLACK_USERGROUP = /^S[A-Z0-9]+$/;
/** A git branch name, restricted to what people actually use (no spaces, no `..`, no leading dash). */
const BRANCH = /^(?!-)(?!.*\.\.)[\w./-]{1,100}$/;

const usd = z
  .number({ message: 'must be a number of US dollars' })
  .positive('must be more than 0')
  .max(1_000_000, 'must be at most 1,000,000');

export const ProjectSettingsSchema = z
  .object({
    repos: z
      .array(z.string().regex(REPO_NAME, 'each repository must look like owner/name'))
      .min(1, 'name at least one repository')
      .max(20, 'at most 20 repositories'),
    /** One of `repos`; new tasks get it. */
    defaultRepo: z.string().regex(REPO_NAME, 'must look like owner/name'),
    baseBranch: z.string().regex(BRANCH, 'must be a branch name such as main').default('main'),
    recipients: z
      .array(z.email({ message: 'each recipient must be an email address' }))
      .max(20, 'at most 20 recipients'),
    approvers: z.object({
      users: z.array(z.string().regex(SLACK_USER, 'must be Slack user IDs')).max(100).default([]),
      usergroups: z
        .array(z.string().regex(SLACK_USERGROUP, 'must be Slack user group IDs such as S012ABCDEF'))
        .max(20)
        .default([]),
    }),
    guidelines: z.string().max(3000, 'at most 3,000 characters').default(''),
    steps: z.array(z.enum(PIPELINE_STEPS)).min(1, 'pick at least one step').default(['ticket', 'email']),
    codeAgentMode: z.enum(CODE_AGENT_MODES).default('builtin'),
    /** Workflow file (e.g. `build.yml`) dispatched by the build step; null: no build. */
    buildWorkflow: z
      .string()
      .regex(/^[\w.-]+\.ya?ml$/, 'must be a workflow file name such as build.yml')
      .nullable()
      .default(null),
    deployEnvironments: z
      .array(z.string().regex(/^[\w.-]{1,63}$/, 'each environment must be a name such as staging'))
      .max(10)
      .default([]),
    budgets: z.object({
      /** The most one run may cost, USD; null: no limit. */
      perRunUsd: usd.nullable().default(null),
      /** The most the channel's runs may cost in a calendar month (UTC), USD; null: no limit. */
      monthlyUsd: usd.nullable().default(null),
    }),
  })
  .superRefine((s, ctx) => {
    if (!s.repos.includes(s.defaultRepo)) {
      ctx.addIssue({ code: 'custom', path: ['defaultRepo'], message: 'must be one of the repositories' });
    }
    if (s.steps.includes('email') && s.recipients.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['recipients'],
        message: 'the email step needs at least one recipient',
      });
    }
  });

export type ProjectSettings = z.infer<typeof ProjectSettingsSchema>;

/** Settings as resolved for a channel: a project's, or the environment's when it has none. */
export interface ResolvedSettings extends ProjectSettings {
  source: 'project' | 'environment';
  projectId: string | null;
  projectName: string | null;
}

/** The part of the environment that gives the defaults (see config.ts). */
export interface EnvironmentDefaults {
  repos: readonly string[];
  defaultRepo: string;
  recipients: readonly string[];
  approvers: readonly string[];
}

/** What a channel without a project gets: exactly what the environment variables said before projects. */
export function environmentSettings(env: EnvironmentDefaults): ResolvedSettings {
  return {
    source: 'environment',
    projectId: null,
    projectName: null,
    repos: [...env.repos],
    defaultRepo: env.defaultRepo,
    baseBranch: 'main',
    recipients: [...env.recipients],
    approvers: { users: [...env.approvers], usergroups: [] },
    guidelines: '',
    steps: ['ticket', 'email'],
    codeAgentMode: 'builtin',
    buildWorkflow: null,
    deployEnvironments: [],
    budgets: { perRunUsd: null, monthlyUsd: null },
  };
}

/** Whether the settings name approvers of their own (else the environment's rule applies). */
export function hasOwnApprovers(s: Pick<ProjectSettings, 'approvers'>): boolean {
  return s.approvers.users.length > 0 || s.approvers.usergroups.length > 0;
}

/** The fields whose values differ, for the audit log and "last change" line. */
export function changedFields(before: ProjectSettings | null, after: ProjectSettings): string[] {
  if (!before) return Object.keys(after).sort();
  return (Object.keys(after) as Array<keyof ProjectSettings>)
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

/** Parses stored settings; a row that no longer parses is reported, not silently replaced. */
export function parseStoredSettings(value: unknown): ProjectSettings {
  return ProjectSettingsSchema.parse(value);
}
