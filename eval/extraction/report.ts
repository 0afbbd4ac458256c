import type { EvalRun } from './run.js';
import type { Metrics } from './score.js';

/** Plain-text tables of an evaluation run, for the terminal and the README. */

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const dec = (x: number): string => x.toFixed(2);

export function metricsRow(label: string, m: Metrics): string {
  return [
    label.padEnd(14),
    String(m.conversations).padStart(5),
    `${m.matched}/${m.gold}`.padStart(8),
    String(m.predicted).padStart(5),
    dec(m.precision).padStart(5),
    dec(m.recall).padStart(5),
    dec(m.f1).padStart(5),
    `${m.falseAlarms}/${m.noItemConversations} ${pct(m.falseAlarmRate)}`.padStart(13),
    pct(m.ownerAccuracy).padStart(7),
    pct(m.deadlineAccuracy).padStart(7),
  ].join('  ');
}

const HEADER = [
  'set'.padEnd(14),
  'convs'.padStart(5),
  'matched'.padStart(8),
  'tasks'.padStart(5),
  'P'.padStart(5),
  'R'.padStart(5),
  'F1'.padStart(5),
  'false alarms'.padStart(13),
  'owner'.padStart(7),
  'deadline'.padStart(7),
].join('  ');

export function formatRun(
  title: string,
  run: EvalRun,
  options: { details?: boolean; breakdown?: boolean } = {},
): string {
  const lines = [`${title} — extractor: ${run.extractor}`, HEADER, metricsRow('all', run.metrics)];
  if (options.breakdown) {
    for (const [kind, m] of run.byKind) lines.push(metricsRow(`  ${kind}`, m));
    for (const [lang, m] of run.byLanguage) lines.push(metricsRow(`  lang ${lang}`, m));
  }
  const m = run.metrics;
  lines.push(
    `owner accuracy where the gold names one: ${pct(m.ownerStatedAccuracy)} of ${m.ownerStated}; deadline accuracy where the gold has one: ${pct(m.deadlineStatedAccuracy)} of ${m.deadlineStated}`,
  );
  if (run.usage.inputTokens + run.usage.outputTokens > 0) {
    lines.push(
      `tokens: ${run.usage.inputTokens} in, ${run.usage.outputTokens} out, ${run.usage.cacheReadTokens} cache read, ${run.usage.cacheWriteTokens} cache write; cost ${run.usage.costUsd === null ? 'unknown (no price for this model)' : `$${run.usage.costUsd.toFixed(4)}`}`,
    );
  }
  if (run.notices > 0) lines.push(`notices shown on ${run.notices} conversation(s) (e.g. not English)`);
  for (const f of run.failures) lines.push(`FAILED ${f.id}: ${f.error}`);
  if (options.details) {
    for (const s of run.scores) {
      if (
        s.misses.length === 0 &&
        s.falsePositives.length === 0 &&
        s.matches.every((x) => x.task.assignee === x.gold.owner)
      )
        continue;
      lines.push(`\n## ${s.conversation.id} (${s.conversation.kind}, ${s.conversation.file})`);
      for (const x of s.matches) {
        const owner = x.task.assignee === x.gold.owner ? '' : ` OWNER ${x.task.assignee} ≠ ${x.gold.owner}`;
        const deadline =
          (x.task.deadline ?? null) === x.gold.deadline
            ? ''
            : ` DEADLINE ${x.task.deadline} ≠ ${x.gold.deadline}`;
        lines.push(`  ok    ${x.task.title}${owner}${deadline}`);
      }
      for (const g of s.misses) lines.push(`  MISS  ${g.title} [${g.evidence.join(',')}]`);
      for (const t of s.falsePositives) lines.push(`  FP    ${t.title} ← "${t.evidence}"`);
    }
  }
  return lines.join('\n');
}
