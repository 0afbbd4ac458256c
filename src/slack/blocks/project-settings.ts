/**
 * The project settings modal (`/orchestrator settings`, App Home's Configure) and the ephemeral
 * summary `/orchestrator` shows. Block ids equal action ids (`PROJECT_FIELDS`) so
 * `parseProjectSettings` can read the submission back.
 */
import {
  CODE_AGENT_MODES,
  PIPELINE_STEPS,
  type PipelineStep,
  type ProjectSettings,
  type ResolvedSettings,
} from '../../projects/settings.js';
import { PROJECT_FIELDS, VIEWS } from '../ids.js';
import { context, header, mrkdwn, plain, section } from './elements.js';
import { clampText, LIMITS } from './limits.js';
import type { InputBlock, KnownBlock, MessagePayload, ModalView, PlainTextOption } from './types.js';

export interface ProjectSettingsMetadata {
  /** The channel the modal was opened for (bound by default). */
  channelId: string;
  projectId: string | null;
  version: number | null;
}

export interface ProjectModalModel {
  channelId: string;
  /** The project being edited; null: a new one, prefilled from `settings`. */
  project: {
    id: string;
    name: string;
    version: number;
    channels: string[];
    updatedBy: string;
    updatedAt: Date;
    lastChange: string[];
  } | null;
  settings: ProjectSettings;
}

export const STEP_WORDS: Record<PipelineStep, string> = {
  ticket: 'GitHub issue',
  email: 'Email',
  code: 'Code (pull request)',
  build: 'Build',
  deploy: 'Deploy',
};

const MODE_WORDS: Record<(typeof CODE_AGENT_MODES)[number], string> = {
  builtin: 'Built-in agent',
  delegate: 'Delegate to an outside agent',
};

function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, LIMITS.optionText), value };
}

function input(
  field: string,
  label: string,
  element: InputBlock['element'],
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: field,
    label: plain(label, LIMITS.inputLabel),
    element,
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint, LIMITS.inputHint) } : {}),
  };
}

function textInput(field: string, value: string, opts: { multiline?: boolean; max?: number } = {}) {
  return {
    type: 'plain_text_input' as const,
    action_id: field,
    ...(opts.multiline ? { multiline: true } : {}),
    max_length: opts.max ?? LIMITS.plainTextInputMax,
    ...(value ? { initial_value: clampText(value, opts.max ?? LIMITS.plainTextInputMax) } : {}),
  };
}

function numberInput(field: string, value: number | null) {
  return {
    type: 'number_input' as const,
    action_id: field,
    is_decimal_allowed: true,
    min_value: '0.01',
    ...(value !== null ? { initial_value: String(value) } : {}),
  };
}

function lastChangeLine(p: NonNullable<ProjectModalModel['project']>): string {
  const when = `<!date^${Math.floor(p.updatedAt.getTime() / 1000)}^{date_short_pretty} {time}|${p.updatedAt.toISOString()}>`;
  const what = p.lastChange.length > 0 ? `: ${p.lastChange.join(', ')}` : '';
  return `Last change by <@${p.updatedBy}> ${when}${what}`;
}

export function buildProjectSettingsModal(m: ProjectModalModel): ModalView {
  const s = m.settings;
  const channels = m.project ? m.project.channels : [m.channelId];
  const metadata: ProjectSettingsMetadata = {
    channelId: m.channelId,
    projectId: m.project?.id ?? null,
    version: m.project?.version ?? null,
  };
  const F = PROJECT_FIELDS;
  const stepOptions = PIPELINE_STEPS.map((step) => option(STEP_WORDS[step], step));
  const modeOptions = CODE_AGENT_MODES.map((mode) => option(MODE_WORDS[mode], mode));
  const blocks: KnownBlock[] = [
    context(
      m.project
        ? lastChangeLine(m.project)
        : 'This channel has no project yet: it uses the environment’s settings, shown below. Saving creates a project.',
    ),
    input(F.name, 'Project name', textInput(F.name, m.project?.name ?? '', { max: 80 })),
    input(
      F.channels,
      'Channels',
      {
        type: 'multi_conversations_select',
        action_id: F.channels,
        initial_conversations: channels.slice(0, 100),
        filter: { include: ['public', 'private'], exclude_bot_users: true },
      },
      { hint: 'Every channel listed uses these settings; a channel moves here from any other project.' },
    ),
    input(F.repos, 'Repositories', textInput(F.repos, s.repos.join('\n'), { multiline: true, max: 2000 }), {
      hint: 'owner/name, one per line; the first is the default for new tasks.',
    }),
    input(F.baseBranch, 'Base branch', textInput(F.baseBranch, s.baseBranch, { max: 100 })),
    input(
      F.approverUsers,
      'Approvers',
      {
        type: 'multi_users_select',
        action_id: F.approverUsers,
        ...(s.approvers.users.length > 0 ? { initial_users: s.approvers.users.slice(0, 100) } : {}),
      },
      { optional: true, hint: 'With no approvers or groups, the environment’s rule applies.' },
    ),
    input(
      F.approverGroups,
      'Approver user groups',
      textInput(F.approverGroups, s.approvers.usergroups.join(', '), { max: 500 }),
      { optional: true, hint: 'User group IDs (S…), comma-separated; every member may approve.' },
    ),
    input(F.recipients, 'Email recipients', textInput(F.recipients, s.recipients.join(', '), { max: 2000 }), {
      optional: true,
      hint: 'Comma-separated addresses; the email step needs at least one.',
    }),
    input(
      F.steps,
      'Pipeline steps',
      {
        type: 'checkboxes',
        action_id: F.steps,
        options: stepOptions,
        ...(s.steps.length > 0
          ? { initial_options: stepOptions.filter((o) => (s.steps as string[]).includes(o.value ?? '')) }
          : {}),
      },
      { hint: 'Code, build and deploy run once those agents are installed.' },
    ),
    input(F.codeAgentMode, 'Code agent', {
      type: 'static_select',
      action_id: F.codeAgentMode,
      options: modeOptions,
      initial_option: modeOptions.find((o) => o.value === s.codeAgentMode) ?? modeOptions[0],
    }),
    input(
      F.buildWorkflow,
      'Build workflow',
      textInput(F.buildWorkflow, s.buildWorkflow ?? '', { max: 100 }),
      {
        optional: true,
        hint: 'The GitHub Actions workflow file, e.g. build.yml.',
      },
    ),
    input(
      F.deployEnvironments,
      'Deploy environments',
      textInput(F.deployEnvironments, s.deployEnvironments.join(', '), { max: 700 }),
      { optional: true, hint: 'Comma-separated, in order, e.g. staging, production.' },
    ),
    input(F.budgetPerRun, 'Budget per run (USD)', numberInput(F.budgetPerRun, s.budgets.perRunUsd), {
      optional: true,
    }),
    input(F.budgetMonthly, 'Monthly budget (USD)', numberInput(F.budgetMonthly, s.budgets.monthlyUsd), {
      optional: true,
      hint: 'For the channels of this project, per calendar month (UTC).',
    }),
    input(
      F.guidelines,
      'Guidelines for the agents',
      textInput(F.guidelines, s.guidelines, { multiline: true, max: 3000 }),
      { optional: true },
    ),
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.projectSettings,
    title: plain('Project settings', LIMITS.viewTitle),
    submit: plain('Save', LIMITS.viewButton),
    close: plain('Cancel', LIMITS.viewButton),
    private_metadata: JSON.stringify(metadata),
    blocks: blocks.slice(0, LIMITS.viewBlocks),
  };
}

/** `/orchestrator` alone: the channel's settings, for the caller only. */
export function buildSettingsSummary(s: ResolvedSettings, channelId: string): MessagePayload {
  const who =
    s.approvers.users.length + s.approvers.usergroups.length > 0
      ? [
          ...s.approvers.users.map((u) => `<@${u}>`),
          ...s.approvers.usergroups.map((g) => `<!subteam^${g}>`),
        ].join(', ')
      : 'workspace admins and owners';
  const budget = (v: number | null) => (v === null ? 'no limit' : `$${v.toFixed(2)}`);
  const title =
    s.source === 'project'
      ? `Settings of <#${channelId}>: project *${s.projectName ?? ''}*`
      : `<#${channelId}> has no project: it uses the environment’s settings`;
  const lines = [
    `*Repositories:* ${s.repos.map((r, i) => (i === 0 && r === s.defaultRepo ? `${r} (default)` : r)).join(', ')}`,
    `*Base branch:* ${s.baseBranch}`,
    `*Approvers:* ${who}`,
    `*Email recipients:* ${s.recipients.join(', ') || 'none'}`,
    `*Steps:* ${s.steps.map((step) => STEP_WORDS[step]).join(', ')}`,
    `*Code agent:* ${MODE_WORDS[s.codeAgentMode]}`,
    `*Build workflow:* ${s.buildWorkflow ?? 'none'}`,
    `*Deploy environments:* ${s.deployEnvironments.join(', ') || 'none'}`,
    `*Budgets:* ${budget(s.budgets.perRunUsd)} per run, ${budget(s.budgets.monthlyUsd)} per month`,
  ];
  if (s.guidelines) lines.push(`*Guidelines:* ${clampText(s.guidelines.replace(/\s+/g, ' '), 300)}`);
  return {
    text: s.source === 'project' ? `Project ${s.projectName ?? ''}` : 'Environment settings',
    blocks: [
      header('Orchestrator settings'),
      section(title),
      { type: 'section', text: mrkdwn(lines.join('\n')) },
      context('Admins change them with `/orchestrator settings`.'),
    ],
  };
}

/** A modal that only says something (a refusal where there is no channel to answer in). */
export function buildNoticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: plain(title, LIMITS.viewTitle),
    close: plain('Close', LIMITS.viewButton),
    blocks: [section(text)],
  };
}
