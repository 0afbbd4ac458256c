/** App Home: approvals, recent extractions, the user's tasks and recent runs, capped to 100 blocks. */
import { PRIORITY_EMOJI, type TaskStatus } from '../../domain/task.js';
import { ACTIONS } from '../ids.js';
import { actions, button, context, divider, header, section } from './elements.js';
import { channelMention, extractorLabel, link, plural, safeCut, slackDate, userMention } from './format.js';
import { githubStateText } from './github-state.js';
import { joinLinesWithin, LIMITS } from './limits.js';
import type { HomeModel } from './models.js';
import { RUN_STATUS_TEXT, renderStep } from './steps.js';
import { STATUS_WORD } from './task-card.js';
import type { HomeView, KnownBlock } from './types.js';

/** Per-list caps. With them the view tops out near 45 blocks, well under Slack's 100. */
export const HOME_CAPS = {
  approvals: 15,
  discussions: 10,
  tasksPerStatus: 8,
  runs: 10,
  projects: 10,
} as const;

/** Work in progress first, finished last. */
const STATUS_ORDER: readonly TaskStatus[] = [
  'running',
  'failed',
  'approved',
  'proposed',
  'cancelled',
  'done',
  'rejected',
];

const GET_STARTED = 'Run `/extract` in a thread to get started.';
const LINE_MAX = 400;

function more(n: number): string {
  return `_…and ${n} more_`;
}

/** Lines in one section: at most `cap` of them, then "and N more" for the rest. */
function listSection(title: string, lines: string[], cap: number): KnownBlock {
  const heading = title ? `${title}\n` : '';
  const shown = lines.slice(0, cap);
  const body = joinLinesWithin(
    shown,
    LIMITS.sectionText - heading.length,
    more,
    LINE_MAX,
    lines.length - shown.length,
  );
  return section(heading + body);
}

function titleLink(title: string, permalink: string | null): string {
  return link(permalink, title.replace(/\s+/g, ' ').trim() || 'Untitled task', 150);
}

function approvals(h: HomeModel): KnownBlock[] {
  if (!h.isApprover) return [];
  const blocks: KnownBlock[] = [header('Waiting for your approval')];
  if (!h.approversConfigured) {
    blocks.push(
      context(
        'No approvers are configured, so only workspace admins and owners may approve tasks. To name approvers, set SLACK_APPROVERS (comma-separated Slack user IDs).',
      ),
    );
  }
  if (h.pendingApprovals.length === 0) {
    blocks.push(section('Nothing is waiting for approval. Proposed tasks appear here.'));
    return blocks;
  }
  const lines = h.pendingApprovals.map(
    (t) => `${PRIORITY_EMOJI[t.priority]} ${titleLink(t.title, t.permalink)}`,
  );
  blocks.push(listSection(`*${plural(lines.length, 'task')} to review*`, lines, HOME_CAPS.approvals));
  return blocks;
}

function discussions(h: HomeModel): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Recent extractions')];
  if (h.discussions.length === 0) {
    blocks.push(section(`No extractions yet. ${GET_STARTED}`));
    return blocks;
  }
  const lines = h.discussions.map((d) =>
    [
      slackDate(d.createdAt, '{date_short_pretty} {time}'),
      channelMention(d.channelId),
      plural(d.messageCount, 'message'),
      plural(d.taskCount, 'task'),
      extractorLabel(d.extractor).replace(/^Extracted by /, ''),
      ...(d.permalink ? [link(d.permalink, 'open thread')] : []),
    ].join(' · '),
  );
  blocks.push(listSection('', lines, HOME_CAPS.discussions));
  return blocks;
}

function tasks(h: HomeModel): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Your tasks')];
  if (h.tasks.length === 0) {
    blocks.push(section(`You have no tasks yet. ${GET_STARTED}`));
    return blocks;
  }
  const counts = STATUS_ORDER.map((s) => [s, h.tasks.filter((t) => t.status === s)] as const).filter(
    ([, list]) => list.length > 0,
  );
  blocks.push(context(counts.map(([s, list]) => `${STATUS_WORD[s]}: ${list.length}`).join(' · ')));
  for (const [status, list] of counts) {
    const lines = list.map(
      (t) =>
        `• ${titleLink(t.title, t.permalink)} · ${safeCut(t.repo, 100)}${
          t.github && t.github.length > 0 ? ` · ${githubStateText(t.github, 1)}` : ''
        }`,
    );
    blocks.push(listSection(`*${STATUS_WORD[status]}* (${list.length})`, lines, HOME_CAPS.tasksPerStatus));
  }
  return blocks;
}

function runs(h: HomeModel): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Recent runs')];
  if (h.runs.length === 0) {
    blocks.push(section('No runs yet. Approve a task and press *Execute* to start one.'));
    return blocks;
  }
  for (const { taskTitle, run } of h.runs.slice(0, HOME_CAPS.runs)) {
    const head = `*${safeCut(taskTitle.replace(/\s+/g, ' ').trim() || 'Untitled task', 150)}* · ${
      RUN_STATUS_TEXT[run.status]
    } · ${slackDate(run.createdAt)} by ${userMention(run.startedBy)}`;
    const steps = run.steps.map((s) => renderStep(s, { preview: false, detailMax: 200 }));
    const err = run.error ? [`_${safeCut(run.error.replace(/\s+/g, ' '), 300)}_`] : [];
    // App Home is private to its viewer: approvers see what to fix, which the channel's card does not say.
    if (h.isApprover && run.errorDetail) {
      err.push(`Details for approvers: ${safeCut(run.errorDetail.replace(/\s+/g, ' '), 400)}`);
    }
    blocks.push(
      section(
        `${head}\n${joinLinesWithin([...steps, ...err], LIMITS.sectionText - head.length - 1, more, LINE_MAX)}`,
      ),
    );
  }
  if (h.runs.length > HOME_CAPS.runs) blocks.push(context(more(h.runs.length - HOME_CAPS.runs)));
  return blocks;
}

function projects(h: HomeModel): KnownBlock[] {
  if (!h.projects) return [];
  const { list, mayConfigure } = h.projects;
  const blocks: KnownBlock[] = [divider(), header('Projects')];
  if (list.length === 0) {
    blocks.push(
      context(
        'No projects yet: every channel uses the environment’s settings. Run `/orchestrator settings` in a channel to give it its own.',
      ),
    );
    return blocks;
  }
  for (const p of list.slice(0, HOME_CAPS.projects)) {
    const channels = p.channels.slice(0, 20).map(channelMention).join(', ');
    const block: KnownBlock = section(
      `*${safeCut(p.name, 80)}*\n${channels || '_no channels_'} · ${safeCut(p.defaultRepo, 100)}`,
    );
    if (mayConfigure) {
      block.accessory = button({ text: 'Configure', actionId: ACTIONS.projectConfigure, value: p.id });
    }
    blocks.push(block);
  }
  if (list.length > HOME_CAPS.projects) blocks.push(context(more(list.length - HOME_CAPS.projects)));
  return blocks;
}

export function buildHomeView(h: HomeModel): HomeView {
  const blocks: KnownBlock[] = [
    header('AI Orchestrator'),
    actions([button({ text: 'Refresh', actionId: ACTIONS.homeRefresh, value: 'refresh' })]),
    divider(),
    ...approvals(h),
    ...discussions(h),
    divider(),
    ...tasks(h),
    divider(),
    ...runs(h),
    ...projects(h),
  ];
  // The caps keep this far below the limit; the slice is a last guard, never the plan.
  return { type: 'home', blocks: blocks.slice(0, LIMITS.viewBlocks) };
}
