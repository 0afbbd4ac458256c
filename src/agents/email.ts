import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Mailer } from '../services/mailer.js';
import { faultPoint } from '../testing/fault-points.js';
import { classifyError } from './error-classification.js';
import type { Agent, AgentContext, AgentTask, EmailOutput } from './types.js';

/**
 * The `email` agent: tells the team about the task and its issue. The recipient comes from
 * config, never from thread text. The Message-ID is derived from the run, so a resend after a
 * crash is recognisably the same message (and lands in the same outbox file).
 */

export interface EmailAgentOptions {
  mailer: Mailer;
  from: string;
  /** The fallback recipient (TARGET_EMAIL). */
  to: string;
  /**
   * The recipients of the task's project as frozen at approval (never thread text); absent or
   * empty → `to`.
   */
  recipientsFor?: (taskId: string) => Promise<readonly string[]>;
  logger: Logger;
}

const SUBJECT_PREFIX = '[AI Orchestrator]';
const SUBJECT_MAX = 200;

/** What the email needs of the ticket step's output; checked, since it is stored JSON. */
const TicketSeenSchema = z.object({
  dryRun: z.boolean().optional(),
  url: z.string().nullish(),
  number: z.number().nullish(),
  title: z.string().optional(),
  repo: z.string().optional(),
});
type TicketSeen = z.infer<typeof TicketSeenSchema>;

export function emailMessageId(runId: string): string {
  return `<${runId.replace(/[^\w.-]/g, '_')}.email@ai-orchestrator>`;
}

export function createEmailAgent(options: EmailAgentOptions): Agent {
  const { mailer, from } = options;
  return {
    name: 'email',
    async run(ctx: AgentContext): Promise<EmailOutput> {
      const { task } = ctx;
      // The runner's logger already carries runId (a second binding would repeat the key).
      const log = ctx.logger.child({ agent: 'email', taskId: task.id });
      const recipients = options.recipientsFor ? await options.recipientsFor(task.id) : [];
      const to = recipients.length > 0 ? recipients.join(', ') : options.to;
      const parsedTicket = TicketSeenSchema.safeParse(ctx.previous.ticket);
      const ticket = parsedTicket.success ? parsedTicket.data : null;
      const content = composeEmail(task, ticket);
      const messageId = emailMessageId(ctx.runId);
      // Recorded as sent before the step is marked done: a retry or a takeover after a crash
      // between the two finds the record and does not send a second email.
      const recorded = await ctx.effects?.get(ctx.idempotencyKey);
      if (recorded?.status === 'done') {
        const detail = recorded.detail ?? {};
        log.info({ messageId }, 'email already sent for this run; not sending again');
        return {
          messageId: recorded.externalId ?? messageId,
          to: typeof detail.to === 'string' ? detail.to : to,
          delivery: detail.delivery === 'outbox' ? 'outbox' : 'smtp',
          path: typeof detail.path === 'string' ? detail.path : null,
        };
      }
      await ctx.effects?.begin(ctx.idempotencyKey, 'email');
      try {
        faultPoint('email:before-effect');
        const sent = await mailer.send(
          {
            from,
            to,
            subject: content.subject,
            text: content.text,
            html: content.html,
            messageId,
            headers: {
              'X-AI-Orchestrator-Task': headerValue(task.id),
              'X-AI-Orchestrator-Run': headerValue(ctx.runId),
              // RFC 3834: an automated notification; auto-responders should not answer it.
              'Auto-Submitted': 'auto-generated',
            },
          },
          { signal: ctx.signal },
        );
        log.info({ messageId: sent.messageId, delivery: mailer.kind, path: sent.path }, 'email sent');
        const output: EmailOutput = { messageId: sent.messageId, to, delivery: mailer.kind, path: sent.path };
        faultPoint('email:after-effect');
        await ctx.effects?.complete(ctx.idempotencyKey, sent.messageId, output);
        faultPoint('email:after-ledger');
        return output;
      } catch (err) {
        throw classifyError(err, 'Sending the email');
      }
    },
  };
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export function composeEmail(task: AgentTask, ticket: TicketSeen | null): EmailContent {
  const title = oneLine(task.title);
  const subjectFull = `${SUBJECT_PREFIX} ${title}`;
  const subject =
    subjectFull.length > SUBJECT_MAX ? `${subjectFull.slice(0, SUBJECT_MAX - 1)}…` : subjectFull;

  const issue = describeIssue(ticket, title);
  const threadLink = safeLink(task.threadLink);
  const facts: Array<[string, string]> = [['Priority', task.priority]];
  if (task.labels.length > 0) facts.push(['Labels', task.labels.map(oneLine).join(', ')]);
  if (task.deadline) facts.push(['Deadline', oneLine(task.deadline)]);
  if (task.assigneeName) facts.push(['Assignee', oneLine(task.assigneeName)]);
  facts.push(['Repository', task.repo]);

  const text = [
    `New task: ${title}`,
    '',
    issue.text,
    threadLink ? `Slack thread: ${threadLink}` : 'Slack thread: (no link)',
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    task.description.trim() || '(no description)',
    ...(task.acceptanceCriteria.length > 0
      ? ['', 'Acceptance criteria:', ...task.acceptanceCriteria.map((c) => `  - [ ] ${oneLine(c)}`)]
      : []),
    '',
    '-- ',
    'Sent by AI Orchestrator',
    '',
  ].join('\n');

  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif">',
    `<h2>${esc(title)}</h2>`,
    `<p>${issue.html}</p>`,
    `<p>Slack thread: ${threadLink ? `<a href="${esc(threadLink)}">open the discussion</a>` : '(no link)'}</p>`,
    '<table>',
    ...facts.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`),
    '</table>',
    `<div>${
      esc(task.description.trim() || '(no description)')
        .split(/\n{2,}/)
        .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
        .join('') || '<p></p>'
    }</div>`,
    ...(task.acceptanceCriteria.length > 0
      ? [
          '<h3>Acceptance criteria</h3>',
          '<ul>',
          ...task.acceptanceCriteria.map((c) => `<li>${esc(oneLine(c))}</li>`),
          '</ul>',
        ]
      : []),
    '<p style="color: #666">Sent by AI Orchestrator</p>',
    '</body></html>',
    '',
  ].join('\n');

  return { subject, text, html };
}

function describeIssue(ticket: TicketSeen | null, title: string): { text: string; html: string } {
  const url = safeLink(ticket?.url ?? null);
  if (ticket && url) {
    const label = ticket.number ? `#${ticket.number}` : 'issue';
    return {
      text: `GitHub issue ${label}: ${url}`,
      html: `GitHub issue: <a href="${esc(url)}">${esc(ticket.repo ? `${ticket.repo}${label}` : label)}</a>`,
    };
  }
  if (ticket?.dryRun) {
    const wouldBe = ticket.title ?? title;
    const note = `GitHub issue: dry run, no issue created (it would be titled "${wouldBe}")`;
    return { text: note, html: esc(note) };
  }
  const note = 'GitHub issue: none';
  return { text: note, html: esc(note) };
}

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function headerValue(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_');
}

function safeLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
