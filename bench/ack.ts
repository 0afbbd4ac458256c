/**
 * `npm run bench:ack` — ack latency (issue 13): signed `/extract` slash commands fired with C in
 * flight at (1) a bare Bolt app that only acks and (2) the bot, on PGlite in-process (the old
 * default, "before"), PGlite in a worker thread (the default now) and PostgreSQL. Each round runs
 * every target once, bare Bolt first, in the same process and run; the figures are the medians of
 * the rounds' p50 and p99, and each target's ratio to bare Bolt of the same rounds.
 *
 *   npm run bench:ack                                   # 3 rounds × 500 requests, 50 in flight
 *   npm run bench:ack -- --requests 200 --rounds 1      # smoke
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App, LogLevel } from '@slack/bolt';
import postgres from 'postgres';
import { z } from 'zod';
import { type Database, openDatabase } from '../db/index.js';
import { startOrchestrator } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { signSlackRequest } from '../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn } from '../src/sandbox/slack-web-api.js';
import { freePort } from '../test/support/free-port.js';
import { median, percentile, round } from './stats.js';

const SIGNING_SECRET = 'bench-signing-secret';
const CHANNEL = 'C0BENCH';
const USER = { id: 'U0LEAD', name: 'lena', realName: 'Lena Lead' };

const Flags = z.object({
  requests: z.coerce.number().int().min(1).max(100_000),
  concurrency: z.coerce.number().int().min(1).max(500),
  rounds: z.coerce.number().int().min(1).max(20),
  targets: z.string().min(1),
});
type Target = 'bare' | 'pglite-inprocess' | 'pglite' | 'postgres';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    targets: { type: 'string', default: 'pglite-inprocess,pglite,postgres' },
  },
  strict: true,
});

async function fire(url: string, requests: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const body = new URLSearchParams({
        token: 'legacy',
        team_id: 'T0BENCH',
        channel_id: CHANNEL,
        channel_name: 'bench',
        user_id: USER.id,
        user_name: USER.name,
        command: '/extract',
        text: `Ship the login page ${i} by Friday; Lena writes the release notes`,
        api_app_id: 'A0BENCH',
        response_url: `${url.replace(/\/slack\/events$/, '')}/none`,
        trigger_id: `trigger-${i}`,
      }).toString();
      const t = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...signSlackRequest(SIGNING_SECRET, body),
        },
        body,
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - t);
      if (response.status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failures > 0) throw new Error(`${failures} of ${requests} requests were not acknowledged with 200`);
  return latencies;
}

async function startBare(): Promise<{ url: string; stop(): Promise<void> }> {
  const app = new App({
    signingSecret: SIGNING_SECRET,
    // No Web API call at all: the bot's token is known up front, as the bot's own start-up does.
    authorize: async () => ({ botToken: 'xoxb-bench', botId: 'B0BENCH', botUserId: 'U0BOT' }),
    logLevel: LogLevel.ERROR,
  });
  app.command('/extract', async ({ ack }) => ack());
  const port = await freePort();
  await app.start({ port, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${port}/slack/events`, stop: () => app.stop().then(() => {}) };
}

async function startBot(
  target: Exclude<Target, 'bare'>,
  slack: SlackWebApiStandIn,
  postgresUrl: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orch-bench-ack-'));
  const cleanups: Array<() => Promise<void>> = [
    async () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  let database: Database;
  if (target === 'postgres') {
    const name = `orch_bench_ack_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(postgresUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    cleanups.push(async () => {
      const dropper = postgres(postgresUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    });
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    database = await openDatabase({ databaseUrl: url.toString() });
  } else {
    database = await openDatabase({ dataDir, inProcess: target === 'pglite-inprocess' });
  }
  cleanups.push(() => database.close());
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    GITHUB_REPO: 'acme/web',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  });
  const app = await startOrchestrator(config, createLogger({ level: config.logLevel }), {
    database,
    botId: slack.botId,
    botUserId: slack.botUserId,
    slackRetries: 0,
  });
  cleanups.push(() => app.stop());
  return {
    url: `${app.url}/slack/events`,
    async stop() {
      for (const fn of cleanups.reverse()) await fn().catch(() => {});
    },
  };
}

async function main(): Promise<void> {
  const parsed = Flags.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.message);
  const flags = parsed.data;
  const targets = flags.targets
    .split(',')
    .map((t) => z.enum(['pglite-inprocess', 'pglite', 'postgres']).parse(t));
  const postgresUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const slack = await SlackWebApiStandIn.start();
  slack.addUser(USER);
  slack.addChannel({ id: CHANNEL, name: 'bench' });
  const load = loadavg().map((l) => round(l, 2));
  process.stdout.write(
    `ack bench: ${flags.rounds} rounds × ${flags.requests} /extract, ${flags.concurrency} in flight; load average ${load.join(' ')}\n`,
  );
  const perTarget = new Map<Target, { p50: number[]; p99: number[]; r50: number[]; r99: number[] }>();
  try {
    for (let r = 0; r < flags.rounds; r++) {
      const bareServer = await startBare();
      await fire(bareServer.url, Math.min(50, flags.requests), flags.concurrency); // warm-up
      const bare = await fire(bareServer.url, flags.requests, flags.concurrency);
      await bareServer.stop();
      const b50 = percentile(bare, 50);
      const b99 = percentile(bare, 99);
      const rows: Array<[Target, number, number]> = [['bare', b50, b99]];
      for (const target of targets) {
        const bot = await startBot(target, slack, postgresUrl);
        try {
          await fire(bot.url, Math.min(50, flags.requests), flags.concurrency);
          const lat = await fire(bot.url, flags.requests, flags.concurrency);
          rows.push([target, percentile(lat, 50), percentile(lat, 99)]);
        } finally {
          await bot.stop();
        }
      }
      for (const [target, p50, p99] of rows) {
        const entry = perTarget.get(target) ?? { p50: [], p99: [], r50: [], r99: [] };
        entry.p50.push(p50);
        entry.p99.push(p99);
        entry.r50.push(p50 / b50);
        entry.r99.push(p99 / b99);
        perTarget.set(target, entry);
      }
      process.stdout.write(
        `round ${r + 1}: ${rows.map(([t, p50, p99]) => `${t} ${round(p50, 0)}/${round(p99, 0)} ms`).join(' · ')}\n`,
      );
    }
  } finally {
    await slack.close();
  }
  process.stdout.write('\n| target | p50 / p99 (ms) | ratio to bare Bolt p50 / p99 |\n|---|---|---|\n');
  for (const [target, e] of perTarget) {
    process.stdout.write(
      `| ${target} | ${round(median(e.p50), 0)} / ${round(median(e.p99), 0)} | ${round(median(e.r50), 2)}× / ${round(median(e.r99), 2)}× |\n`,
    );
  }
  process.stdout.write(
    `load average after: ${loadavg()
      .map((l) => round(l, 2))
      .join(' ')}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
