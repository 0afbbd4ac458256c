/**
 * The `build` step on the card: every state named (dispatched, queued, in progress, succeeded,
 * failed, cancelled, timed out, no run appeared), the run link, the image, and on failure the
 * failing job and step with the tail of its log.
 */
import { z } from 'zod';
import { link, safeCut } from './format.js';

/** Step outputs are JSON from the database: read leniently. */
const BuildOutputSchema = z.object({
  state: z.enum([
    'dispatched',
    'queued',
    'in_progress',
    'succeeded',
    'failed',
    'cancelled',
    'timed_out',
    'no_run',
  ]),
  workflow: z.string().nullish(),
  sha: z.string().nullish(),
  runId: z.number().nullish(),
  runAttempt: z.number().nullish(),
  runUrl: z.string().nullish(),
  image: z.string().nullish(),
  job: z.string().nullish(),
  step: z.string().nullish(),
  logTail: z.string().nullish(),
});
export type BuildOutcome = z.infer<typeof BuildOutputSchema>;

export const BUILD_STATE_WORDS: Record<BuildOutcome['state'], string> = {
  dispatched: 'dispatched, waiting for the run to appear…',
  queued: 'queued',
  in_progress: 'in progress…',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  timed_out: 'timed out',
  no_run: 'dispatch accepted but no run appeared',
};

/** Lines of log shown on the card (the thread and App Home can show more). */
const CARD_LOG_CHARS = 900;

export function buildOutcome(output: unknown): BuildOutcome | null {
  const parsed = BuildOutputSchema.safeParse(output ?? {});
  return parsed.success ? parsed.data : null;
}

/** One line (and, on failure, a log excerpt) for the build step, or null without build output. */
export function buildStepText(output: unknown, detailMax: number): string | null {
  const o = buildOutcome(output);
  if (!o) return null;
  const sha = o.sha ? ` of \`${o.sha.slice(0, 7)}\`` : '';
  const run = o.runId
    ? ` · ${link(o.runUrl, `run ${o.runId}${o.runAttempt && o.runAttempt > 1 ? ` (attempt ${o.runAttempt})` : ''}`)}`
    : '';
  const parts = [`${BUILD_STATE_WORDS[o.state]}${sha}${run}`];
  if (o.state === 'succeeded' && o.image)
    parts.push(`· image \`${safeCut(o.image, 200).replace(/`/g, "'")}\``);
  if (o.state === 'failed' && (o.job || o.step)) {
    const where = [o.job ? `job “${o.job}”` : null, o.step ? `step “${o.step}”` : null].filter(Boolean);
    parts.push(`in ${safeCut(where.join(', '), detailMax)}`);
  }
  let text = parts.join(' ');
  if (o.state === 'failed' && o.logTail) {
    const tail = o.logTail.slice(-CARD_LOG_CHARS).replace(/`/g, "'");
    text += `\n\`\`\`${safeCut(tail, CARD_LOG_CHARS + 100)}\`\`\``;
  }
  return text;
}

/** The build's own account of a failure, when it ended in one (else the runner's error stands). */
export function buildFailureText(output: unknown, detailMax: number): string | null {
  const o = buildOutcome(output);
  if (!o || !['failed', 'cancelled', 'timed_out', 'no_run'].includes(o.state)) return null;
  return buildStepText(output, detailMax);
}
