/**
 * Reads the Edit modal's view_submission back into task fields. Everything here comes from Slack's
 * HTTP body, so zod checks the shape; the messages are shown under the matching input
 * (`response_action: 'errors'` keyed by block_id) and say what to do.
 */
import { z } from 'zod';
import {
  CRITERIA_MAX,
  CRITERION_MAX,
  DESCRIPTION_MAX,
  LABEL_MAX,
  LABELS_MAX,
  PRIORITIES,
  type TaskFields,
  TITLE_MAX,
} from '../../domain/task.js';
import { EDIT_FIELDS } from '../ids.js';
import type { EditMetadata } from './edit-modal.js';
import { isUserId } from './format.js';

export type EditSubmission =
  | { ok: true; taskId: string; version: number; channelId: string | null; fields: TaskFields }
  | { ok: false; errors: Record<string, string> };

const viewShape = z.object({
  private_metadata: z.string(),
  state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
});

const metadataShape = z.object({
  taskId: z.string().min(1).max(255),
  version: z.number().int().nonnegative(),
  channelId: z.string().nullable(),
}) satisfies z.ZodType<EditMetadata>;

const textInput = z.object({ value: z.string().nullable().optional() });
const selectInput = z.object({
  selected_option: z.object({ value: z.string() }).nullable().optional(),
});
const dateInput = z.object({ selected_date: z.string().nullable().optional() });
const userInput = z.object({ selected_user: z.string().nullable().optional() });

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const REPO_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** A real calendar date in YYYY-MM-DD (rejects 2025-02-30). */
function isCalendarDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Strips a bullet people type out of habit ("- ", "• ", "* ", "1. "). */
function stripBullet(line: string): string {
  return line.replace(/^\s*(?:[-•*]|\d{1,2}[.)])\s+/, '').trim();
}

function listRepos(repos: readonly string[]): string {
  const shown = repos.slice(0, 5).join(', ');
  return repos.length > 5 ? `${shown} (and ${repos.length - 5} more)` : shown;
}

export function parseEditSubmission(view: unknown, repos: readonly string[]): EditSubmission {
  const parsedView = viewShape.safeParse(view);
  let meta: EditMetadata | null = null;
  if (parsedView.success) {
    try {
      const m = metadataShape.safeParse(JSON.parse(parsedView.data.private_metadata));
      if (m.success) meta = m.data;
    } catch {
      meta = null;
    }
  }
  if (!parsedView.success || !meta) {
    // Nothing a field can fix: shown under the first input, which is always present.
    return {
      ok: false,
      errors: {
        [EDIT_FIELDS.title]: 'This form could not be read. Close it and press Edit on the card again.',
      },
    };
  }
  const values = parsedView.data.state.values;
  const raw = (field: string): unknown => values[field]?.[field];
  const text = (field: string): string => {
    const r = textInput.safeParse(raw(field));
    return r.success ? (r.data.value ?? '').trim() : '';
  };
  const errors: Record<string, string> = {};

  const title = text(EDIT_FIELDS.title).replace(/\s+/g, ' ');
  if (!title) errors[EDIT_FIELDS.title] = 'Title is required.';
  else if (title.length > TITLE_MAX)
    errors[EDIT_FIELDS.title] = `Title must be ${TITLE_MAX} characters or fewer.`;

  const description = text(EDIT_FIELDS.description);
  if (description.length > DESCRIPTION_MAX) {
    errors[EDIT_FIELDS.description] =
      `Description must be ${DESCRIPTION_MAX} characters or fewer (it has ${description.length}).`;
  }

  const criteria = text(EDIT_FIELDS.criteria)
    .split(/\r?\n/)
    .map(stripBullet)
    .filter((c) => c.length > 0);
  const longCriterion = criteria.findIndex((c) => c.length > CRITERION_MAX);
  if (criteria.length > CRITERIA_MAX) {
    errors[EDIT_FIELDS.criteria] =
      `Up to ${CRITERIA_MAX} criteria, one per line (there are ${criteria.length}).`;
  } else if (longCriterion >= 0) {
    errors[EDIT_FIELDS.criteria] =
      `Criterion ${longCriterion + 1} is too long: keep each to ${CRITERION_MAX} characters.`;
  }

  const priorityRaw = selectInput.safeParse(raw(EDIT_FIELDS.priority));
  const priority = PRIORITIES.find(
    (p) => priorityRaw.success && priorityRaw.data.selected_option?.value === p,
  );
  if (!priority) errors[EDIT_FIELDS.priority] = `Choose a priority: ${PRIORITIES.join(', ')}.`;

  const labels = [
    ...new Set(
      text(EDIT_FIELDS.labels)
        .split(',')
        .map((l) => l.trim().replace(/\s+/g, ' '))
        .filter((l) => l.length > 0),
    ),
  ];
  const longLabel = labels.find((l) => l.length > LABEL_MAX);
  if (labels.length > LABELS_MAX) {
    errors[EDIT_FIELDS.labels] =
      `Up to ${LABELS_MAX} labels, separated by commas (there are ${labels.length}).`;
  } else if (longLabel) {
    errors[EDIT_FIELDS.labels] =
      `Label “${longLabel.slice(0, 20)}…” is too long: keep each to ${LABEL_MAX} characters.`;
  }

  const dateRaw = dateInput.safeParse(raw(EDIT_FIELDS.deadline));
  const deadline = dateRaw.success ? (dateRaw.data.selected_date ?? null) : null;
  if (deadline !== null && !isCalendarDate(deadline)) {
    errors[EDIT_FIELDS.deadline] = 'Pick the deadline from the calendar (YYYY-MM-DD).';
  }

  const userRaw = userInput.safeParse(raw(EDIT_FIELDS.assignee));
  const assignee = userRaw.success ? (userRaw.data.selected_user ?? null) : null;
  if (assignee !== null && !isUserId(assignee))
    errors[EDIT_FIELDS.assignee] = 'Pick the assignee from the list.';

  // The repo input is a static_select, or a plain_text_input when no repository is configured.
  const repoSelect = selectInput.safeParse(raw(EDIT_FIELDS.repo));
  const repo =
    (repoSelect.success ? repoSelect.data.selected_option?.value : undefined)?.trim() ||
    text(EDIT_FIELDS.repo);
  if (!repo) {
    errors[EDIT_FIELDS.repo] = 'Repository is required.';
  } else if (repos.length > 0 && !repos.includes(repo)) {
    errors[EDIT_FIELDS.repo] = `Repository must be one of ${listRepos(repos)}.`;
  } else if (repos.length === 0 && !REPO_NAME.test(repo)) {
    errors[EDIT_FIELDS.repo] = 'Repository must look like owner/name.';
  }

  if (Object.keys(errors).length > 0 || !priority) return { ok: false, errors };
  return {
    ok: true,
    taskId: meta.taskId,
    version: meta.version,
    channelId: meta.channelId,
    fields: { title, description, acceptanceCriteria: criteria, priority, labels, deadline, assignee, repo },
  };
}
