import { z } from 'zod';
import type { ExtractedTask } from '../domain/extraction.js';
import {
  CRITERIA_MAX,
  CRITERION_MAX,
  DESCRIPTION_MAX,
  LABEL_MAX,
  LABELS_MAX,
  PRIORITIES,
  type Priority,
  TITLE_MAX,
} from '../domain/task.js';
import { truncate } from '../domain/text.js';

/**
 * The shape of a task proposal, shared by both extractors: the tool the model must call, the zod
 * schema its answer is checked against, and the merging of duplicate proposals.
 */

export const RECORD_TASKS_TOOL_NAME = 'record_tasks';
/** What the model is asked for at most (the tool schema's maxItems); the Slack layer posts no more than this. */
export const TASKS_MAX = 25;
export const EVIDENCE_MAX = 200;

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * Lenient where leniency is harmless (long text is cut, priority case is ignored, extra list items
 * are dropped) and strict where a guess would be wrong (missing fields, unknown priority).
 */
const proposedTaskSchema = z.object({
  title: z
    .string()
    .transform(oneLine)
    .pipe(z.string().min(1, 'title must not be empty'))
    .transform((t) => truncate(t, TITLE_MAX)),
  description: z.string().transform((t) => truncate(t.trim(), DESCRIPTION_MAX)),
  acceptance_criteria: z
    .array(z.string().transform(oneLine))
    .transform((list) => list.filter((c) => c.length > 0).map((c) => truncate(c, CRITERION_MAX)))
    .pipe(z.array(z.string()).min(1, 'give at least one acceptance criterion'))
    .transform((list) => list.slice(0, CRITERIA_MAX)),
  priority: z
    .string()
    .transform((p) => p.trim().toUpperCase())
    .pipe(z.enum(PRIORITIES)),
  deadline: z
    .string()
    .nullish()
    .transform((d) => (d && oneLine(d).length > 0 ? truncate(oneLine(d), 100) : null)),
  labels: z
    .array(z.string())
    .default([])
    .transform((list) => normaliseLabels(list)),
  assignee: z
    .string()
    .nullish()
    .transform((a) => (a && a.trim().length > 0 ? a.trim() : null)),
  // Older prompts asked for one `source_message`; both shapes become a list.
  source_messages: z
    .array(z.string())
    .nullish()
    .transform((list) => (list ?? []).map((m) => m.trim()).filter((m) => m.length > 0)),
  source_message: z
    .string()
    .nullish()
    .transform((m) => (m && m.trim().length > 0 ? m.trim() : null)),
  evidence: z
    .string()
    .transform(oneLine)
    .transform((e) => truncate(e, EVIDENCE_MAX)),
});

/**
 * Not cut to TASKS_MAX here: the Slack layer posts the first ones and says on the summary how many
 * were proposed, so a long answer is never shortened silently.
 */
export const recordTasksInputSchema = z.object({
  tasks: z.array(
    proposedTaskSchema.transform(({ source_message, source_messages, ...task }) => ({
      ...task,
      source_messages: source_messages.length > 0 ? source_messages : source_message ? [source_message] : [],
    })),
  ),
});

export type ProposedTask = z.output<typeof recordTasksInputSchema>['tasks'][number];
export type RecordTasksInput = z.output<typeof recordTasksInputSchema>;

/** A readable account of what was wrong, for the model's second try and for the logs. */
export function describeValidationError(error: z.ZodError): string {
  return z.prettifyError(error);
}

/**
 * The tool's JSON Schema, written by hand rather than generated: the descriptions are the model's
 * field-by-field instructions, and the zod schema above is more lenient than what we ask for.
 */
export const RECORD_TASKS_TOOL = {
  name: RECORD_TASKS_TOOL_NAME,
  description:
    'Record the actionable tasks found in the discussion. Call it exactly once, with an empty list when the discussion contains no task.',
  input_schema: {
    type: 'object' as const,
    properties: {
      tasks: {
        type: 'array',
        maxItems: TASKS_MAX,
        items: {
          type: 'object',
          properties: {
            title: {
              type: 'string',
              maxLength: TITLE_MAX,
              description: 'Short imperative summary, e.g. "Fix the session cookie flags in the auth proxy".',
            },
            description: {
              type: 'string',
              description: 'What is to be done and why, from the discussion; 1 to 4 sentences.',
            },
            acceptance_criteria: {
              type: 'array',
              minItems: 1,
              maxItems: CRITERIA_MAX,
              items: { type: 'string' },
              description: 'Checkable statements that say when the task is done.',
            },
            priority: {
              type: 'string',
              enum: [...PRIORITIES],
              description:
                'CRITICAL for blockers and outages, HIGH for urgent/asap, LOW for nice-to-have, else MEDIUM.',
            },
            deadline: {
              type: ['string', 'null'],
              description:
                'The due date as YYYY-MM-DD, worked out from the time of the message that says it ("by Friday" said on 2026-11-24 → "2026-11-27"); null when none was said or it names no day ("next sprint").',
            },
            labels: {
              type: 'array',
              maxItems: LABELS_MAX,
              items: { type: 'string' },
              description:
                'A few lower-case labels, e.g. bug, feature, security, docs, frontend, backend, infra, test.',
            },
            assignee: {
              type: ['string', 'null'],
              description:
                'User id (from the participants list) of the person who took on or was asked to do the task; null if nobody was.',
            },
            source_messages: {
              type: 'array',
              minItems: 1,
              items: { type: 'string' },
              description:
                'Ids of the messages the task comes from, e.g. ["M3", "M5"]: where it was asked, committed to or decided, and where someone took it on.',
            },
            evidence: {
              type: 'string',
              description: 'A short one-line quote from the first of those messages.',
            },
          },
          required: [
            'title',
            'description',
            'acceptance_criteria',
            'priority',
            'deadline',
            'labels',
            'assignee',
            'source_messages',
            'evidence',
          ],
        },
      },
    },
    required: ['tasks'],
  },
};

/** Lower-case, trimmed, unique, capped labels. */
export function normaliseLabels(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const raw of labels) {
    const label = truncate(oneLine(raw).toLowerCase(), LABEL_MAX);
    if (label.length > 0) seen.add(label);
  }
  return [...seen].slice(0, LABELS_MAX);
}

// ---- duplicates ----

const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'to',
  'for',
  'of',
  'on',
  'in',
  'at',
  'and',
  'or',
  'with',
  'from',
  'into',
  'our',
  'we',
  'it',
  'its',
  'this',
  'that',
]);

/** Case-, punctuation- and whitespace-insensitive form of a title. */
export function normaliseTitle(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function titleWords(title: string): Set<string> {
  const words = normaliseTitle(title)
    .split(' ')
    .filter((w) => w.length > 0 && !STOP_WORDS.has(w))
    // A crude plural fold so "Add alerts" and "add alert" compare equal.
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
  return new Set(words);
}

/** Jaccard similarity of the titles' content words at or above which two tasks are one. */
export const SIMILARITY_THRESHOLD = 0.8;

export function titlesMatch(a: string, b: string): boolean {
  if (normaliseTitle(a) === normaliseTitle(b)) return true;
  const wa = titleWords(a);
  const wb = titleWords(b);
  // Short titles share too few words for a ratio to mean anything.
  if (wa.size < 2 || wb.size < 2) return false;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return common / (wa.size + wb.size - common) >= SIMILARITY_THRESHOLD;
}

const PRIORITY_RANK: Record<Priority, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

function unionBy(list: readonly string[], more: readonly string[], key: (s: string) => string): string[] {
  const out = [...list];
  const keys = new Set(list.map(key));
  for (const item of more) {
    const k = key(item);
    if (!keys.has(k)) {
      keys.add(k);
      out.push(item);
    }
  }
  return out;
}

/**
 * Merges tasks with the same or a very similar title into the first of them: acceptance criteria
 * and labels are unioned, the highest priority wins, the first known deadline and assignee are kept.
 */
export function mergeDuplicateTasks(tasks: readonly ExtractedTask[]): ExtractedTask[] {
  const merged: ExtractedTask[] = [];
  for (const task of tasks) {
    const index = merged.findIndex((m) => titlesMatch(m.title, task.title));
    const existing = index >= 0 ? merged[index] : undefined;
    if (!existing) {
      merged.push({ ...task, acceptanceCriteria: [...task.acceptanceCriteria], labels: [...task.labels] });
      continue;
    }
    merged[index] = {
      ...existing,
      description: existing.description.length > 0 ? existing.description : task.description,
      acceptanceCriteria: unionBy(existing.acceptanceCriteria, task.acceptanceCriteria, normaliseTitle).slice(
        0,
        CRITERIA_MAX,
      ),
      labels: normaliseLabels(unionBy(existing.labels, task.labels, (l) => l.toLowerCase())),
      priority:
        PRIORITY_RANK[task.priority] > PRIORITY_RANK[existing.priority] ? task.priority : existing.priority,
      deadline: existing.deadline ?? task.deadline,
      assignee: existing.assignee ?? task.assignee,
    };
  }
  return merged;
}
