/**
 * `npm run bench` — pipeline throughput (issue 3): N runs through stand-ins that add latency
 * to every call, on PGlite and PostgreSQL, with one and two bot processes. Prints a table and
 * writes the figures as JSON (bench/results/latest.json unless --out is given).
 *
 *   npm run bench                      # the full matrix, 500 runs, 50 ms
 *   npm run bench -- --runs 50         # a quick check
 *   npm run bench -- --db postgres --processes 2 --concurrency 8
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { z } from 'zod';
import { type DbKind, runScenario, type ScenarioResult } from './scenario.js';
import { round } from './stats.js';

const Flags = z.object({
  runs: z.coerce.number().int().min(1).max(10_000),
  latency: z.coerce.number().int().min(0).max(5_000),
  db: z.enum(['pglite', 'postgres', 'both']),
  processes: z.enum(['1', '2', 'both']),
  concurrency: z.coerce.number().int().min(1).max(64),
  clicks: z.coerce.number().int().min(1).max(256),
  out: z.string().min(1),
});

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    latency: { type: 'string', default: '50' },
    db: { type: 'string', default: 'both' },
    processes: { type: 'string', default: 'both' },
    concurrency: { type: 'string', default: '4' },
    clicks: { type: 'string', default: '16' },
    out: { type: 'string', default: join(import.meta.dirname, 'results', 'latest.json') },
  },
  strict: true,
});

async function main(): Promise<void> {
  const parsed = Flags.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(
      `bad flags: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
    );
    process.exit(2);
  }
  const flags = parsed.data;
  const postgresUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';

  const cells: Array<{ db: DbKind; processes: 1 | 2 }> = [];
  const dbs: DbKind[] = flags.db === 'both' ? ['pglite', 'postgres'] : [flags.db];
  const procs: Array<1 | 2> = flags.processes === 'both' ? [1, 2] : [flags.processes === '2' ? 2 : 1];
  const skipped: string[] = [];
  for (const db of dbs)
    for (const processes of procs) {
      // One PGlite data folder cannot be opened by two processes (the bot locks it).
      if (db === 'pglite' && processes === 2) skipped.push('pglite × 2 processes (PGlite is one process)');
      else cells.push({ db, processes });
    }
  if (cells.length === 0) {
    process.stderr.write('nothing to run: PGlite cannot be shared by two processes\n');
    process.exit(2);
  }

  const postgresVersion = dbs.includes('postgres') ? await serverVersion(postgresUrl) : null;
  const started = new Date();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `Pipeline benchmark: ${flags.runs} runs, ${flags.latency} ms per stand-in call, ` +
      `RUNNER_CONCURRENCY=${flags.concurrency}; ${cells.map((c) => `${c.db}×${c.processes}`).join(', ')}`,
  );
  const results: ScenarioResult[] = [];
  for (const cell of cells) {
    log(`\n${cell.db}, ${cell.processes} process${cell.processes > 1 ? 'es' : ''}`);
    const cellStart = Date.now();
    results.push(
      await runScenario({
        ...cell,
        runs: flags.runs,
        latencyMs: flags.latency,
        concurrency: flags.concurrency,
        postgresUrl,
        clickConcurrency: flags.clicks,
        log,
      }),
    );
    log(`  (${round((Date.now() - cellStart) / 1000, 1)} s with set-up and shutdown)`);
  }

  const report = {
    date: started.toISOString(),
    durationSeconds: round((Date.now() - started.getTime()) / 1000, 1),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      postgres: postgresVersion,
    },
    settings: { ...flags, githubThrottle: false, skipped },
    results,
  };
  const out = resolve(flags.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`\n${table(results, skipped)}`);
  log(`\nwritten to ${out}`);
}

/** The results as the markdown table of bench/README.md. */
export function table(results: ScenarioResult[], skipped: string[] = []): string {
  const lines = [
    '| database | processes | runs/s | ideal runs/s | ideal ÷ measured | Execute→done p50 / p99 (ms) | one run alone (ms) | critical path (ms) | DB statements / run | chat.update / run (per step transition) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.db} | ${r.processes} × ${r.concurrencyPerProcess} | ${r.batch.runsPerSecond} | ${r.batch.idealRunsPerSecond} | ` +
        `${r.batch.idealOverMeasured}× | ${r.batch.executeToDoneMs.p50} / ${r.batch.executeToDoneMs.p99} | ` +
        `${r.singleRunMs} | ${round(r.criticalPath.totalMs, 0)} | ${r.database.perRun} | ` +
        `${r.slack.perRun} (${r.slack.perStepTransition}) |`,
    );
  }
  for (const s of skipped) lines.push(`| ${s.split(' ')[0]} | 2 | n/a: ${s} | | | | | | | |`);
  return lines.join('\n');
}

async function serverVersion(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [row] = await sql<Array<{ v: string }>>`select current_setting('server_version') as v`;
    return row?.v ?? 'unknown';
  } finally {
    await sql.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
