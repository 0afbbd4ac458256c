/** The task card: one message per task in the thread, updated in place as the task moves on. */
import { PHASE1_STEPS, STEP_LABELS } from '../../domain/pipeline.js';
import { PRIORITY_EMOJI, type TaskStatus } from '../../domain/task.js';
import { neutralizeSlackMentions, safeMrkdwn } from '../../domain/text.js';
import { ACTIONS } from '../ids.js';
import { taskButtonValue } from '../payloads.js';
import { ownEvidenceLink } from '../permalink.js';
import { actions, button, context, fieldsSection, header, section } from './elements.js';
import { extractorLabel, isUserId, link, safeCut, slackDate, userMention } from './format.js';
import { githubStateBlock } from './github-state.js';
import { clampMrkdwn, clampText, joinLinesWithin, LIMITS } from './limits.js';
import type { TaskCardModel } from './models.js';
import { issueUrl, RUN_STATUS_TEXT, renderStep } from './steps.js';
import type { Button, KnownBlock, MessagePayload } from './types.js';

export const STATUS_WORD: Record<TaskStatus, string> = {
  proposed: 'Proposed',
  approved: 'Approved',
  rejected: 'Rejected',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Statuses in which a person has chosen the assignee, so the card may name them as a mention. */
const ASSIGNEE_CONFIRMED: ReadonlySet<TaskStatus> = new Set([
  'approved',
  'running',
  'done',
  'failed',
  'cancelled',
]);

const MAX_STEPS_SHOWN = 12;
const CRITERION_LINE_MAX = 500;

/**
 * The assignee field. While a task is only proposed (or rejected), the assignee is a machine's
 * suggestion: it is shown inert (`@name`, from `names`, else the bare id) so posting a card does not
 * ping the person. Once approved, the card shows a real `<@U…>` mention; card updates are
 * `chat.update` edits, which Slack does not notify, so nobody is pinged by the card itself.
 */
function assigneeText(task: TaskCardModel): string {
  if (!task.assignee) return '_unassigned_';
  if (ASSIGNEE_CONFIRMED.has(task.status) && isUserId(task.assignee)) return userMention(task.assignee);
  const name = task.names?.[task.assignee];
  return name
    ? `@${safeCut(name.replace(/^@/, ''), 80)} (suggested)`
    : `\`${safeCut(task.assignee, 40)}\` (suggested)`;
}

function statusText(task: TaskCardModel): string {
  switch (task.status) {
    case 'proposed':
      return '📝 *Proposed* — waiting for approval';
    case 'approved': {
      const by = task.approvedBy ? ` by ${userMention(task.approvedBy)}` : '';
      const at = task.approvedAt ? ` at ${slackDate(task.approvedAt)}` : '';
      return `👍 *Approved*${by}${at}`;
    }
    case 'rejected': {
      const by = task.rejectedBy ? ` by ${userMention(task.rejectedBy)}` : '';
      const at = task.rejectedAt ? ` at ${slackDate(task.rejectedAt)}` : '';
      return `🚫 *Rejected*${by}${at} — edit it to propose it again`;
    }
    case 'running': {
      const by = task.run ? ` (started by ${userMention(task.run.startedBy)})` : '';
      return `🔄 *Running…*${by}`;
    }
    case 'done':
      return '✅ *Done*';
    case 'failed': {
      const err = task.run?.error ? `: ${safeCut(task.run.error.replace(/\s+/g, ' '), 500)}` : '';
      return `❌ *Failed*${err}`;
    }
    case 'cancelled':
      return '⏹ *Cancelled*';
  }
}

/** A link only to a message of this very thread (rebuilt by us); any other text is a quote. */
function evidenceText(evidence: string, threadLink: string | null, names: Record<string, string>): string {
  const own = ownEvidenceLink(evidence, threadLink);
  if (own) return `Evidence: ${link(own, 'source message')}`;
  const quote = safeCut(evidence.replace(/\s+/g, ' ').trim(), 300, names);
  return `Evidence: “${quote}”`;
}

function buttonsFor(task: TaskCardModel): Button[] {
  // Bound to the version shown: a click on an older card is refused, never applied to newer content.
  const value = taskButtonValue(task);
  const edit = button({ text: 'Edit', actionId: ACTIONS.edit, value });
  const reject = button({
    text: 'Reject',
    actionId: ACTIONS.reject,
    value,
    style: 'danger',
    confirm: {
      title: 'Reject this task?',
      text: 'It will not be executed. You can edit it later to propose it again.',
      confirm: 'Reject',
    },
  });
  switch (task.status) {
    case 'proposed':
      return [edit, button({ text: 'Approve', actionId: ACTIONS.approve, value, style: 'primary' }), reject];
    case 'approved': {
      const steps = PHASE1_STEPS.map((s) => STEP_LABELS[s]).join(', then ');
      const execute = button({
        text: 'Execute',
        actionId: ACTIONS.execute,
        value,
        style: 'primary',
        confirm: {
          title: 'Execute this task?',
          text: `This starts the pipeline for ${neutralizeSlackMentions(task.repo)}: ${steps}.`,
          confirm: 'Execute',
        },
      });
      return [edit, execute, reject];
    }
    case 'running':
      return [
        button({
          text: 'Cancel run',
          actionId: ACTIONS.cancel,
          value,
          style: 'danger',
          confirm: {
            title: 'Cancel this run?',
            text: 'Steps that have not started yet will not run. A step already under way may still finish.',
            confirm: 'Cancel run',
            deny: 'Keep running',
          },
        }),
      ];
    case 'failed':
    case 'cancelled':
      return [button({ text: 'Retry', actionId: ACTIONS.retry, value, style: 'primary' }), edit];
    case 'rejected':
      return [edit];
    case 'done': {
      const url = issueUrl(task.run);
      return url ? [button({ text: 'View issue', actionId: ACTIONS.openLink, value, url })] : [];
    }
  }
}

/** Builds the card. Pure; every piece of thread text is made inert and cut to Slack's limits. */
export function buildTaskCard(task: TaskCardModel): MessagePayload {
  const names = task.names ?? {};
  const blocks: KnownBlock[] = [];
  const title = neutralizeSlackMentions(task.title.replace(/\s+/g, ' ').trim(), names) || 'Untitled task';

  blocks.push(header(`${PRIORITY_EMOJI[task.priority]} ${title}`));

  const description = task.description.trim();
  if (description) blocks.push(section(clampMrkdwn(safeMrkdwn(description, names), LIMITS.sectionText)));

  const criteria = task.acceptanceCriteria.map((c) => c.trim()).filter((c) => c.length > 0);
  if (criteria.length > 0) {
    const lines = criteria.map((c) => `• ${safeCut(c, CRITERION_LINE_MAX, names)}`);
    const heading = '*Acceptance criteria*\n';
    blocks.push(
      section(
        heading +
          joinLinesWithin(
            lines,
            LIMITS.sectionText - heading.length,
            (n) => `_…and ${n} more_`,
            CRITERION_LINE_MAX + 20,
          ),
      ),
    );
  }

  const labels = task.labels.map((l) => l.trim()).filter((l) => l.length > 0);
  const labelText =
    labels.length > 0
      ? joinLinesWithin(
          labels.map((l) => `\`${safeCut(l.replace(/`/g, "'"), 60)}\``),
          LIMITS.sectionFieldText - 20,
          (n) => `…and ${n} more`,
        ).replace(/\n/g, ' ')
      : '_none_';
  blocks.push(
    fieldsSection([
      `*Priority*\n${PRIORITY_EMOJI[task.priority]} ${task.priority}`,
      `*Labels*\n${labelText}`,
      `*Assignee*\n${assigneeText(task)}`,
      `*Repository*\n${safeCut(task.repo, 200) || '_none_'}`,
      `*Deadline*\n${task.deadline ? safeCut(task.deadline, 100) : '_none_'}`,
    ]),
  );

  if (task.evidence?.trim())
    blocks.push(context(evidenceText(task.evidence, task.threadLink ?? null, names)));

  blocks.push(section(statusText(task)));
  blocks.push(...githubStateBlock(task.github ?? []));

  if (task.run) {
    const run = task.run;
    const shown = run.steps.slice(0, MAX_STEPS_SHOWN);
    blocks.push(context(`Run ${RUN_STATUS_TEXT[run.status]} · started ${slackDate(run.createdAt)}`));
    for (const step of shown) blocks.push(section(renderStep(step, { preview: true, detailMax: 600 })));
    if (run.steps.length > shown.length)
      blocks.push(context(`…and ${run.steps.length - shown.length} more steps`));
  }

  const notes = [extractorLabel(task.extractor)];
  if (task.truncated) notes.push('thread was cut to fit; older messages omitted');
  blocks.push(context(notes.join(' · ')));

  const buttons = buttonsFor(task);
  if (buttons.length > 0) blocks.push(actions(buttons));

  // Defensive: never exceed the message limit, and keep the buttons (the last block) when cutting.
  const bounded =
    blocks.length > LIMITS.messageBlocks
      ? [...blocks.slice(0, LIMITS.messageBlocks - 1), blocks[blocks.length - 1] as KnownBlock]
      : blocks;

  const text = clampText(`Task: ${safeCut(title, 300)} — ${STATUS_WORD[task.status]}`, LIMITS.fallbackText);
  return { text, blocks: bounded };
}
