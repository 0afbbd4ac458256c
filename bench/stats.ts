import { readFileSync } from 'node:fs';

/** Nearest-rank percentile (p in 0..100) of unsorted numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Busy and total CPU time of the whole machine so far (Linux /proc/stat; undefined elsewhere). */
export function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0); // idle + iowait
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already in user
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU time that was busy between two machineCpu() readings (0..1). */
export function busyShare(
  before: { busy: number; total: number } | undefined,
  after: { busy: number; total: number } | undefined,
): number | null {
  if (!before || !after || after.total === before.total) return null;
  return (after.busy - before.busy) / (after.total - before.total);
}

/**
 * A statement's kind for the round-trip breakdown: its verb and first table, e.g.
 * `select steps`, `update runs`, `insert effects`, `begin`, `commit`, `select steps for update`.
 */
export function statementKind(statement: string): string {
  const s = statement.trim().replace(/\s+/g, ' ').toLowerCase();
  const verb = s.split(' ')[0] ?? '';
  if (['begin', 'commit', 'rollback', 'listen', 'unlisten'].includes(verb)) return verb;
  if (s.includes('pg_notify')) return 'notify';
  const table = /(?:\bfrom|\binto|^update) "?([a-z_]+)"?/.exec(s)?.[1] ?? '?';
  return `${verb} ${table}${/\bfor update\b/.test(s) ? ' for update' : ''}`;
}

export function addCounts(
  into: Record<string, number>,
  from: Record<string, number>,
): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}
