/** The `code` step on the card: live progress while it runs, the PR (or why none) once done. */
import { z } from 'zod';
import { link, plural, safeCut, safeUrl } from './format.js';

/** Step outputs are JSON from the database: read leniently. */
const CodeOutputSchema = z.object({
  mode: z.string().optional(),
  reason: z.string().nullable().optional(),
  pr: z
    .object({ number: z.number().int(), url: z.string(), reused: z.boolean().optional() })
    .nullable()
    .optional(),
  files: z.array(z.string()).optional(),
  stoppedBy: z.enum(['turns', 'cost', 'time']).nullable().optional(),
  turns: z.number().optional(),
  costUsd: z.number().optional(),
  ci: z.string().optional(),
});
export type CodeStepOutcome = z.infer<typeof CodeOutputSchema>;

const ProgressSchema = z.object({
  progress: z.enum(['reading', 'editing', 'ci', 'publishing']),
  files: z.number().int().optional(),
});

const STOPPED: Record<'turns' | 'cost' | 'time', string> = {
  turns: 'the turn budget',
  cost: 'the cost budget',
  time: 'the time limit',
};

const CI_WORDS: Record<string, string> = {
  passed: ' · CI passed',
  failed: ' · CI failing',
  none: ' · no CI on this repository, checks skipped',
};

export function codeStepOutcome(output: unknown): CodeStepOutcome | null {
  const parsed = CodeOutputSchema.safeParse(output ?? {});
  return parsed.success ? parsed.data : null;
}

/** "reading the repository…", "editing 2 files…", "waiting for CI…", "opening the pull request…". */
export function codeProgressText(output: unknown): string | null {
  const parsed = ProgressSchema.safeParse(output ?? {});
  if (!parsed.success) return null;
  const files = parsed.data.files ?? 0;
  switch (parsed.data.progress) {
    case 'reading':
      return 'reading the repository…';
    case 'editing':
      return files > 0 ? `editing ${plural(files, 'file')}…` : 'reading the code…';
    case 'ci':
      return 'waiting for CI…';
    case 'publishing':
      return 'opening the pull request…';
  }
}

/** The finished step's text, and whether it counts as "not run" (shown with the skip emoji). */
export function codeStepText(output: unknown, detailMax: number): { text: string; notRun: boolean } {
  const o = codeStepOutcome(output);
  if (!o) return { text: 'done', notRun: false };
  if (o.mode === 'off')
    return { text: `not run: ${safeCut(o.reason ?? 'the code agent is off', detailMax)}`, notRun: true };
  const cost = o.costUsd != null ? ` · ${plural(o.turns ?? 0, 'turn')}, $${o.costUsd.toFixed(2)}` : '';
  const stopped = o.stoppedBy ? ` · work in progress: stopped by ${STOPPED[o.stoppedBy]}` : '';
  const url = o.pr ? safeUrl(o.pr.url) : null;
  const ci = o.ci ? (CI_WORDS[o.ci] ?? '') : '';
  if (o.pr && o.mode === 'delegate') {
    return { text: `${link(url, `PR #${o.pr.number}`)} opened by the delegated coding agent`, notRun: false };
  }
  if (o.pr) {
    const files = o.files ? `, ${plural(o.files.length, 'file')} changed` : '';
    return {
      text: `${link(url, `draft PR #${o.pr.number}`)} opened${files}${ci}${stopped}${cost}`,
      notRun: false,
    };
  }
  return {
    text: `no pull request: ${safeCut(o.reason ?? 'no change was made', detailMax)}${cost}`,
    notRun: false,
  };
}
