/** The Edit modal. Block ids equal action ids (`EDIT_FIELDS`) so `parseEditSubmission` can read it back. */
import {
  CRITERIA_MAX,
  CRITERION_MAX,
  DESCRIPTION_MAX,
  LABEL_MAX,
  LABELS_MAX,
  PRIORITIES,
  PRIORITY_EMOJI,
  type Priority,
  TITLE_MAX,
} from '../../domain/task.js';
import { EDIT_FIELDS, VIEWS } from '../ids.js';
import { context, plain } from './elements.js';
import { isUserId } from './format.js';
import { clampText, LIMITS } from './limits.js';
import type { EditModalModel } from './models.js';
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from './types.js';

/** What `private_metadata` carries: the version lets the save refuse an edit made on a stale card. */
export interface EditMetadata {
  taskId: string;
  version: number;
  channelId: string | null;
}

/** Criteria text: one per line; ten of 300 plus newlines just exceeds Slack's 3000, so cap there. */
export const CRITERIA_INPUT_MAX = Math.min(LIMITS.plainTextInputMax, CRITERIA_MAX * (CRITERION_MAX + 1));
/** Labels text: comma separated. */
export const LABELS_INPUT_MAX = LABELS_MAX * (LABEL_MAX + 2);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function priorityOption(p: Priority): PlainTextOption {
  const word = p.charAt(0) + p.slice(1).toLowerCase();
  return { text: { type: 'plain_text', text: `${PRIORITY_EMOJI[p]} ${word}`, emoji: true }, value: p };
}

function repoOption(repo: string): PlainTextOption {
  return { text: plain(repo, LIMITS.optionText), value: repo };
}

function input(
  field: string,
  label: string,
  element: InputBlock['element'],
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock {
  const block: InputBlock = {
    type: 'input',
    block_id: field,
    label: plain(label, LIMITS.inputLabel),
    element,
  };
  if (opts.optional) block.optional = true;
  if (opts.hint) block.hint = plain(opts.hint, LIMITS.inputHint);
  return block;
}

/** Initial text for a plain_text_input: omitted when empty (Slack rejects nothing, but keeps it tidy). */
function initial(value: string, max: number): { initial_value?: string } {
  const v = clampText(value, max, '');
  return v.trim().length > 0 ? { initial_value: v } : {};
}

/**
 * Labels are a comma-separated plain_text_input rather than a multi_static_select: the extractor
 * and people coin labels freely, and a static select could only offer ones we already know.
 */
export function buildEditModal(m: EditModalModel): ModalView {
  const t = m.task;
  const blocks: KnownBlock[] = [];

  blocks.push(
    input(EDIT_FIELDS.title, 'Title', {
      type: 'plain_text_input',
      action_id: EDIT_FIELDS.title,
      max_length: TITLE_MAX,
      ...initial(t.title, TITLE_MAX),
    }),
  );
  blocks.push(
    input(
      EDIT_FIELDS.description,
      'Description',
      {
        type: 'plain_text_input',
        action_id: EDIT_FIELDS.description,
        multiline: true,
        max_length: DESCRIPTION_MAX,
        ...initial(t.description, DESCRIPTION_MAX),
      },
      { optional: true },
    ),
  );
  const criteria = t.acceptanceCriteria
    .map((c) => clampText(c.replace(/\s+/g, ' ').trim(), CRITERION_MAX, ''))
    .filter((c) => c.length > 0)
    .slice(0, CRITERIA_MAX);
  blocks.push(
    input(
      EDIT_FIELDS.criteria,
      'Acceptance criteria',
      {
        type: 'plain_text_input',
        action_id: EDIT_FIELDS.criteria,
        multiline: true,
        max_length: CRITERIA_INPUT_MAX,
        ...initial(criteria.join('\n'), CRITERIA_INPUT_MAX),
      },
      { optional: true, hint: `One per line, up to ${CRITERIA_MAX}.` },
    ),
  );
  const priorities = PRIORITIES.map(priorityOption);
  blocks.push(
    input(EDIT_FIELDS.priority, 'Priority', {
      type: 'static_select',
      action_id: EDIT_FIELDS.priority,
      options: priorities,
      initial_option: priorities.find((o) => o.value === t.priority) ?? priorities[1],
    }),
  );
  const labels = t.labels
    .map((l) => l.replace(/,/g, ' ').trim())
    .filter((l) => l.length > 0)
    .slice(0, LABELS_MAX)
    .map((l) => clampText(l, LABEL_MAX, ''));
  blocks.push(
    input(
      EDIT_FIELDS.labels,
      'Labels',
      {
        type: 'plain_text_input',
        action_id: EDIT_FIELDS.labels,
        max_length: LABELS_INPUT_MAX,
        placeholder: plain('bug, backend', LIMITS.placeholder),
        ...initial(labels.join(', '), LABELS_INPUT_MAX),
      },
      { optional: true, hint: `Comma separated, up to ${LABELS_MAX}.` },
    ),
  );
  const isoDeadline = t.deadline && ISO_DATE.test(t.deadline) ? t.deadline : null;
  blocks.push(
    input(
      EDIT_FIELDS.deadline,
      'Deadline',
      {
        type: 'datepicker',
        action_id: EDIT_FIELDS.deadline,
        ...(isoDeadline ? { initial_date: isoDeadline } : {}),
      },
      {
        optional: true,
        // A free-text deadline ("next sprint") cannot prefill a date picker; show it so it is not lost unseen.
        ...(t.deadline && !isoDeadline
          ? { hint: `The thread said “${clampText(t.deadline, 200)}”. Pick a date, or it will be cleared.` }
          : {}),
      },
    ),
  );
  blocks.push(
    input(
      EDIT_FIELDS.assignee,
      'Assignee',
      {
        type: 'users_select',
        action_id: EDIT_FIELDS.assignee,
        ...(t.assignee && isUserId(t.assignee) ? { initial_user: t.assignee } : {}),
      },
      { optional: true },
    ),
  );

  const repos = [...new Set(m.repos.filter((r) => r.length > 0 && r.length <= LIMITS.optionValue))];
  // The channel's repositories only: a task whose repository left the list must pick another.
  if (repos.length === 0 && t.repo && t.repo.length <= LIMITS.optionValue) repos.unshift(t.repo);
  const repoOptions = repos.slice(0, LIMITS.selectOptions).map(repoOption);
  if (repoOptions.length > 0) {
    blocks.push(
      input(EDIT_FIELDS.repo, 'Repository', {
        type: 'static_select',
        action_id: EDIT_FIELDS.repo,
        options: repoOptions,
        initial_option: repoOptions.find((o) => o.value === t.repo) ?? repoOptions[0],
      }),
    );
  } else {
    // No repository configured and none on the task: let the person type one (owner/name).
    blocks.push(
      input(EDIT_FIELDS.repo, 'Repository', {
        type: 'plain_text_input',
        action_id: EDIT_FIELDS.repo,
        max_length: LIMITS.optionValue,
        placeholder: plain('owner/name', LIMITS.placeholder),
      }),
    );
  }
  if (t.status === 'approved') {
    blocks.push(context('Saving sends this task back to *Proposed*: it will need approval again.'));
  }

  const metadata: EditMetadata = { taskId: t.id, version: t.version, channelId: m.channelId };
  const privateMetadata = JSON.stringify(metadata);
  if (privateMetadata.length > LIMITS.privateMetadata) throw new RangeError('private_metadata too long');

  return {
    type: 'modal',
    callback_id: VIEWS.editTask,
    private_metadata: privateMetadata,
    title: plain('Edit task', LIMITS.viewTitle),
    submit: plain('Save', LIMITS.viewButton),
    close: plain('Cancel', LIMITS.viewButton),
    blocks,
  };
}
