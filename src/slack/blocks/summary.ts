/** The message posted in the thread after an extraction, above the task cards. */
import { escapeMrkdwn } from '../../domain/text.js';
import { context, section } from './elements.js';
import { extractorLabel, plural, userMention } from './format.js';
import { clampText, LIMITS } from './limits.js';
import type { SummaryModel } from './models.js';
import type { MessagePayload } from './types.js';

/** "5 tasks from 23 messages", "1 task from 1 message", "No tasks found in 12 messages". */
export function summaryHeadline(s: SummaryModel): string {
  const from = s.source === 'text' ? 'the text you gave' : plural(s.messageCount, 'message');
  if (s.taskCount === 0) return `No tasks found in ${from}`;
  return `${plural(s.taskCount, 'task')} from ${from}`;
}

/** What was left out, said on the message everyone sees: never a silent cut. */
function cuts(s: SummaryModel): string[] {
  const notes: string[] = [];
  if (s.omittedMessages > 0) {
    notes.push(
      `:scissors: ${plural(s.omittedMessages, 'message')} of the thread ${s.omittedMessages === 1 ? 'was' : 'were'} left out to fit (the first message and the newest ones were read)`,
    );
  } else if (s.truncated) {
    notes.push(':scissors: a long message was shortened to fit');
  }
  if (s.proposedTaskCount > s.taskCount) {
    notes.push(
      `:warning: ${plural(s.proposedTaskCount, 'task')} were proposed; only the first ${s.taskCount} are posted here. Consider splitting the discussion.`,
    );
  }
  return notes;
}

export function buildSummaryMessage(s: SummaryModel): MessagePayload {
  const headline = summaryHeadline(s);
  const lead =
    s.taskCount === 0
      ? `:mag: *${headline}*. Nothing looked like a task; try a thread with concrete asks, or \`/extract <text>\`.`
      : `:clipboard: *${headline}* — review each card below, edit if needed, then approve.`;
  const notes = [extractorLabel(s.extractor), `requested by ${userMention(s.requestedBy)}`];
  const cutNotes = cuts(s);
  return {
    text: clampText(headline, LIMITS.fallbackText),
    blocks: [
      section(lead),
      context(notes.join(' · ')),
      ...(cutNotes.length > 0 ? [context(cutNotes.join('\n'))] : []),
      ...(s.notice ? [context(`:information_source: ${escapeMrkdwn(s.notice)}`)] : []),
    ],
  };
}
