/** The daily digest posted in a channel: the tasks there that have been waiting for approval. */
import { isPriority, PRIORITY_EMOJI } from '../../domain/task.js';
import { context, section } from './elements.js';
import { link, plural, slackDate, userMention } from './format.js';
import { clampMrkdwn, clampText, joinLinesWithin, LIMITS } from './limits.js';
import type { MessagePayload } from './types.js';

/** How many tasks one digest lists by name (and so how many permalinks the caller looks up). */
export const DIGEST_MAX_LISTED = 20;
/** Approvers mentioned by name; beyond this the digest says how many more there are. */
export const DIGEST_MAX_MENTIONS = 20;

export interface ApprovalDigestTask {
  /** As extracted from the thread: made safe here. */
  title: string;
  priority: string;
  /** The card (or the discussion) in Slack; null → the title without a link. */
  permalink: string | null;
  createdAt: Date;
}

export interface ApprovalDigestModel {
  /** Oldest first; at most DIGEST_MAX_LISTED are shown. */
  tasks: readonly ApprovalDigestTask[];
  /** How many tasks are waiting in the channel (may exceed `tasks.length`). */
  total: number;
  /** Slack user ids of the approvers; empty → workspace admins and owners approve. */
  approvers: readonly string[];
  olderThanHours: number;
}

function taskLine(t: ApprovalDigestTask): string {
  const emoji = isPriority(t.priority) ? `${PRIORITY_EMOJI[t.priority]} ` : '';
  const priority = clampText(t.priority, 20).replace(/[<>&*_~`]/g, '');
  return `• ${emoji}*${link(t.permalink, t.title, 150)}* · ${priority} · waiting since ${slackDate(t.createdAt, '{date_short_pretty}', t.createdAt.toISOString().slice(0, 10))}`;
}

function whoMayApprove(approvers: readonly string[]): string {
  if (approvers.length === 0) return 'Workspace admins and owners may approve them (no approvers are named).';
  const shown = approvers.slice(0, DIGEST_MAX_MENTIONS).map(userMention);
  const rest = approvers.length - shown.length;
  return `${shown.join(' ')}${rest > 0 ? ` and ${plural(rest, 'other approver')}` : ''}: please review them.`;
}

export function buildApprovalDigest(model: ApprovalDigestModel): MessagePayload {
  const total = Math.max(model.total, model.tasks.length);
  const listed = model.tasks.slice(0, DIGEST_MAX_LISTED);
  const headline = `${plural(total, 'task')} ${total === 1 ? 'has' : 'have'} been waiting for approval for more than ${plural(model.olderThanHours, 'hour')}`;
  const who = whoMayApprove(model.approvers);
  const lines = joinLinesWithin(
    listed.map(taskLine),
    LIMITS.sectionText,
    (n) => `…and ${plural(n, 'more task')}`,
    LIMITS.sectionText,
    total - listed.length,
  );
  return {
    // The fallback carries the mentions too, so approvers are notified even where blocks are not shown.
    text: clampMrkdwn(`${headline}. ${who}`, LIMITS.fallbackText),
    blocks: [
      section(`:hourglass_flowing_sand: *${headline}.*\n${who}`),
      section(lines),
      context('Open a card and press *Approve* or *Reject*. This reminder is sent at most once a day.'),
    ],
  };
}
