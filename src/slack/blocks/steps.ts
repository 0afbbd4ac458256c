/** One mrkdwn line (plus an optional preview) per pipeline step, for the task card and App Home. */
import { z } from 'zod';
import { type RunStatus, STEP_LABELS, type StepStatus } from '../../domain/pipeline.js';
import { buildFailureText, buildStepText } from './build-step.js';
import { codeProgressText, codeStepText } from './code-step.js';
import { deployStepText } from './deploy-step.js';
import { formatDuration, link, plural, safeCut, safeUrl } from './format.js';
import { clampMrkdwn } from './limits.js';
import type { RunModel, StepModel } from './models.js';

export const STEP_EMOJI: Record<StepStatus, string> = {
  pending: '⏳',
  running: '🔄',
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭',
};

export const RUN_STATUS_TEXT: Record<RunStatus, string> = {
  queued: '⏳ Queued',
  running: '🔄 Running',
  succeeded: '✅ Succeeded',
  failed: '❌ Failed',
  cancelled: '⏹ Cancelled',
};

/** Step outputs are JSON from the database: read them leniently, field by field. */
const ticketOutput = z.object({
  dryRun: z.boolean().optional(),
  repo: z.string().optional(),
  number: z.number().int().nullable().optional(),
  url: z.string().nullable().optional(),
  title: z.string().optional(),
  body: z.string().nullable().optional(),
  reused: z.boolean().optional(),
});

const emailOutput = z.object({
  to: z.union([z.string(), z.array(z.string())]).optional(),
  delivery: z.string().optional(),
  path: z.string().nullable().optional(),
});

const reasonOutput = z.object({ reason: z.string().optional() });

export interface StepLineOptions {
  /** Show the dry-run issue's title and the start of its body (the task card does; Home does not). */
  preview: boolean;
  /** Upper bound for the error text and the preview body. */
  detailMax: number;
}

/** "owner/repo#123" from an issue URL, else from the output's repo, else "issue #123". */
function issueLabel(url: string | null, repo: string | undefined, num: number | null | undefined): string {
  const m = url ? /^https?:\/\/[^/]+\/(?:api\/v3\/repos\/)?([^/]+\/[^/]+)\/issues\/(\d+)/.exec(url) : null;
  if (m) return `${m[1]}#${m[2]}`;
  if (repo && num != null) return `${repo}#${num}`;
  return num != null ? `issue #${num}` : 'issue';
}

/** Lines of a dry-run issue body shown on the card. */
const PREVIEW_LINES = 12;

function ticketDetail(step: StepModel, opts: StepLineOptions): { text: string; preview: string | null } {
  const parsed = ticketOutput.safeParse(step.output ?? {});
  if (!parsed.success) return { text: '', preview: null };
  const o = parsed.data;
  if (o.dryRun) {
    if (!opts.preview) return { text: 'Dry run: issue not created', preview: null };
    const lines: string[] = [];
    if (o.title) lines.push(`*${safeCut(o.title, 150)}*`);
    if (o.body) {
      // Line by line, without the hidden marker comment, so the preview reads like the issue.
      const bodyLines = o.body
        .replace(/<!--[\s\S]*?-->/g, '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
      const shown = bodyLines.slice(0, PREVIEW_LINES).map((l) => safeCut(l, 300));
      if (bodyLines.length > PREVIEW_LINES) shown.push('…');
      lines.push(...shown);
    }
    const joined = lines.map((l) => `> ${l}`).join('\n');
    const preview = lines.length > 0 ? clampMrkdwn(joined, opts.detailMax + 200) : null;
    return { text: 'Dry run: issue not created', preview };
  }
  const url = o.url ? safeUrl(o.url) : null;
  if (!url && o.number == null) return { text: '', preview: null };
  const label = issueLabel(url, o.repo, o.number);
  return { text: `${link(url, label)}${o.reused ? ' (already existed)' : ''}`, preview: null };
}

function emailDetail(step: StepModel): string {
  const parsed = emailOutput.safeParse(step.output ?? {});
  if (!parsed.success) return '';
  const o = parsed.data;
  const to = Array.isArray(o.to) ? o.to.join(', ') : o.to;
  const recipient = to ? `to ${safeCut(to, 200)}` : '';
  if (o.delivery === 'outbox') {
    const file = o.path ? o.path.split(/[\\/]/).pop() : null;
    return [recipient, `written to the outbox${file ? ` (${safeCut(file, 120)})` : ''}`]
      .filter(Boolean)
      .join(', ');
  }
  if (o.delivery === 'smtp') return [recipient, 'sent by SMTP'].filter(Boolean).join(', ');
  return recipient;
}

/** The step's line and, for a dry-run ticket on the card, a quoted preview below it. */
export function renderStep(step: StepModel, opts: StepLineOptions): string {
  const label = STEP_LABELS[step.agent] ?? step.agent;
  const parts: string[] = [];
  let preview: string | null = null;
  let emoji = STEP_EMOJI[step.status];
  switch (step.status) {
    case 'pending':
      parts.push('waiting');
      break;
    case 'running':
      parts.push(
        (step.agent === 'code'
          ? codeProgressText(step.output)
          : step.agent === 'build'
            ? buildStepText(step.output, opts.detailMax)
            : step.agent === 'deploy'
              ? deployStepText(step.output, opts.detailMax)
              : null) ?? 'running…',
      );
      break;
    case 'succeeded': {
      if (step.agent === 'ticket') {
        const d = ticketDetail(step, opts);
        if (d.text) parts.push(d.text);
        preview = d.preview;
      } else if (step.agent === 'email') {
        const d = emailDetail(step);
        if (d) parts.push(d);
      } else if (step.agent === 'code') {
        const d = codeStepText(step.output, opts.detailMax);
        parts.push(d.text);
        if (d.notRun) emoji = STEP_EMOJI.skipped;
      } else if (step.agent === 'build') {
        const d = buildStepText(step.output, opts.detailMax);
        if (d) parts.push(d);
      } else if (step.agent === 'deploy') {
        const d = deployStepText(step.output, opts.detailMax);
        if (d) parts.push(d);
      }
      if (parts.length === 0) parts.push('done');
      break;
    }
    case 'failed': {
      // The build names its own failure (state, job, step, run link, log tail) from its output.
      const build =
        step.agent === 'build'
          ? buildFailureText(step.output, opts.detailMax)
          : step.agent === 'deploy'
            ? deployStepText(step.output, opts.detailMax)
            : null;
      if (build) {
        parts.push(build);
        break;
      }
      parts.push(
        `failed${step.error ? `: ${safeCut(step.error.replace(/\s+/g, ' '), opts.detailMax)}` : ''}`,
      );
      break;
    }
    case 'skipped': {
      const reason = step.error ?? reasonOutput.safeParse(step.output ?? {}).data?.reason;
      parts.push(`skipped${reason ? `: ${safeCut(reason, opts.detailMax)}` : ''}`);
      break;
    }
  }
  const extras: string[] = [];
  // A failure always says how many attempts it took, so "gave up" and "failed at once" differ.
  if (step.attempt > 1 || (step.status === 'failed' && step.attempt > 0)) {
    extras.push(`${plural(step.attempt, 'attempt')}`);
  }
  if (step.durationMs != null && step.status !== 'pending' && step.status !== 'running') {
    const d = formatDuration(step.durationMs);
    if (d) extras.push(d);
  }
  const line = `${emoji} *${label}* — ${parts.join(' ')}${
    extras.length > 0 ? ` · ${extras.join(' · ')}` : ''
  }`;
  return preview ? `${line}\n${preview}` : line;
}

/** The first issue URL of a run (for a "View issue" button on a finished card). */
export function issueUrl(run: RunModel | null): string | null {
  const ticket = run?.steps.find((s) => s.agent === 'ticket' && s.status === 'succeeded');
  if (!ticket) return null;
  const o = ticketOutput.safeParse(ticket.output ?? {});
  return o.success && !o.data.dryRun ? safeUrl(o.data.url) : null;
}
