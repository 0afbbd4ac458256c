/** Task vocabulary and the rules of its life cycle. Pure: no I/O, no project imports. */

export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TASK_STATUSES = [
  'proposed',
  'approved',
  'rejected',
  'running',
  'done',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 2500;
export const CRITERION_MAX = 300;
export const CRITERIA_MAX = 10;
export const LABEL_MAX = 50;
export const LABELS_MAX = 10;

/** The fields a person may edit and the extractor produces. */
export interface TaskFields {
  title: string;
  description: string;
  acceptanceCriteria: string[];
  priority: Priority;
  labels: string[];
  deadline: string | null;
  /** A Slack user id, or null. */
  assignee: string | null;
  repo: string;
}

/**
 * Allowed moves. `failed → running` is a retry; editing an approved task sends it back to proposed.
 * `done → running`: the task's PR was merged and its build (Phase 3) starts.
 */
const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  proposed: ['approved', 'rejected', 'proposed'],
  approved: ['running', 'rejected', 'proposed'],
  rejected: ['proposed'],
  running: ['done', 'failed', 'cancelled'],
  done: ['running'],
  failed: ['running', 'proposed'],
  cancelled: ['running', 'proposed'],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}

export function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}

/** Which statuses may be edited (and to what the edit leads). */
export function statusAfterEdit(current: TaskStatus): TaskStatus | null {
  switch (current) {
    case 'proposed':
    case 'approved':
    case 'rejected':
    case 'failed':
    case 'cancelled':
      return 'proposed';
    default:
      return null; // running or done: the work is under way or finished
  }
}

export const PRIORITY_EMOJI: Record<Priority, string> = {
  LOW: ':white_circle:',
  MEDIUM: ':large_blue_circle:',
  HIGH: ':large_orange_circle:',
  CRITICAL: ':red_circle:',
};
