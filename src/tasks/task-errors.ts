import type { TaskStatus } from '../domain/task.js';
import { PermissionDenied } from './permission-service.js';

/** A refused task action; `message` is written for the person who clicked. */
export class TaskActionError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'forbidden' | 'invalid_state' | 'stale',
  ) {
    super(message);
    this.name = 'TaskActionError';
  }
}

/** What a click answers when the card the person saw is older than the task. */
export const STALE_CARD_MESSAGE =
  'This task changed since you looked — nothing was done. Here is the current card; check it and click again.';

export const STATUS_WORDS: Record<TaskStatus, string> = {
  proposed: 'waiting for approval',
  approved: 'approved',
  rejected: 'rejected',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Refuses a click made on a card older than the task. */
export function requireVersion(task: { version: number }, expectedVersion: number): void {
  if (task.version !== expectedVersion) throw new TaskActionError(STALE_CARD_MESSAGE, 'stale');
}

/** A permission refusal becomes the TaskActionError the Slack layer shows to the clicker. */
export async function guard(check: Promise<void>): Promise<void> {
  try {
    await check;
  } catch (err) {
    if (err instanceof PermissionDenied) throw new TaskActionError(err.message, 'forbidden');
    throw err;
  }
}
