import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { and, count, eq, inArray, ne } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openDatabase } from '../db/index.js';
import { runs, steps } from '../db/schema.js';
import { startOrchestrator } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import type { ExtractedTask } from '../src/domain/extraction.js';
import { createLogger } from '../src/logger.js';
import { SlackRequestSender } from '../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn } from '../src/sandbox/slack-web-api.js';
import { buildTaskCard } from '../src/slack/blocks/task-card.js';
import { toTaskCardModel } from '../src/slack/card-model.js';
import { ACTIONS } from '../src/slack/ids.js';
import type { TaskStore } from '../src/tasks/task-store.js';
import { freePort } from '../test/support/free-port.js';
import { startGitHubStandIn } from '../test/support/github-standin.js';
import { startSmtpStandIn } from '../test/support/smtp-standin.js';
import { type CallCosts, measureCallCosts } from './baseline.js';
import { startLatencyProxy } from './latency-proxy.js';
import { addCounts, busyShare, machineCpu, percentile, pool, round, sleep, statementKind } from './stats.js';
import { type ParentMessage, WorkerMessage } from './worker-protocol.js';

export type DbKind = 'pglite' | 'postgres';

export interface ScenarioOptions {
  db: DbKind;
  processes: 1 | 2;
  runs: number;
  latencyMs: number;
  /** RUNNER_CONCURRENCY of each process. */
  concurrency: number;
  /** PostgreSQL server to create the benchmark's own database on. */
  postgresUrl: string;
  /** Execute clicks in flight at once while the batch is fired. */
  clickConcurrency: number;
  log: (line: string) => void;
}

interface Distribution {
  p50: number;
  p99: number;
  max: number;
}

export interface ScenarioResult {
  db: DbKind;
  processes: 1 | 2;
  runs: number;
  latencyMs: number;
  concurrencyPerProcess: number;
  totalConcurrency: number;
  /** What one outside call costs alone (same clients, same stand-ins, same run). */
  callCosts: CallCosts;
  /** The calls each run makes one after another, as observed in the batch, at those costs. */
  criticalPath: { githubCallsPerRun: number; emailsPerRun: number; totalMs: number };
  /** One run with nothing else going on, Execute click to finishedAt. */
  singleRunMs: number;
  singleRunOverCriticalPath: number;
  batch: {
    /** First Execute click to the last run's finishedAt. */
    wallSeconds: number;
    runsPerSecond: number;
    idealRunsPerSecond: number;
    /** ≥ 1; the target is ≤ 1.5. */
    idealOverMeasured: number;
    /** Time to send all Execute clicks (each answered by Bolt's ack). */
    clicksSeconds: number;
    executeToDoneMs: Distribution;
    queuedMs: Distribution;
    claimToDoneMs: Distribution;
    /** Inside a run: each step from its claim to its end, and the wait between the two steps. */
    ticketStepMs: Distribution;
    emailStepMs: Distribution;
    betweenStepsMs: Distribution;
  };
  outcome: { succeeded: number; failed: number; issues: number; emails: number };
  database: { statements: number; perRun: number; kindsPerRun: Record<string, number> };
  slack: {
    chatUpdates: number;
    perRun: number;
    /** 4 step transitions per run: ticket start/end, email start/end. */
    perStepTransition: number;
    maxPerRun: number;
    failedCalls: number;
    /** Cards whose final content links the run's issue (the last state was shown). */
    cardsShowingResult: number;
  };
  github: { requestsPerRun: number };
  /** CPU during the batch (clicks to last run done): the machine's busy share, and per run. */
  cpu: {
    machineBusy: number | null;
    /** This process: stand-ins, the benchmark and bot 1. */
    mainProcessMsPerRun: number;
    /** The second bot process, when there is one. */
    workerMsPerRun: number | null;
    claimsByWorker: number | null;
  };
}

const CHANNEL = 'C0BENCH';
const APPROVER = { id: 'U0LEAD', name: 'lena', realName: 'Lena Lead' };
const REPO = 'acme/web';
const BASELINE_REPO = 'acme/baseline';
const SIGNING_SECRET = 'bench-signing-secret';
const TASKS_PER_DISCUSSION = 25;
const STEP_TRANSITIONS_PER_RUN = 4;

/** One cell of the matrix: stand-ins up, bot(s) up, tasks seeded, baseline, one run, the batch. */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  try {
    return await scenario(o, (fn) => cleanups.push(fn));
  } finally {
    await cleanup();
  }
}

async function scenario(
  o: ScenarioOptions,
  defer: (fn: () => Promise<void>) => void,
): Promise<ScenarioResult> {
  const slack = await SlackWebApiStandIn.start();
  defer(() => slack.close());
  slack.addUser(APPROVER);
  slack.addChannel({ id: CHANNEL, name: 'bench' });
  const slackProxy = await startLatencyProxy(slack.url);
  defer(() => slackProxy.close());
  const github = await startGitHubStandIn({ repos: [REPO, BASELINE_REPO] });
  defer(() => github.close());
  const smtp = await startSmtpStandIn();
  defer(() => smtp.close());

  const dataDir = mkdtempSync(join(tmpdir(), 'orch-bench-'));
  defer(async () => rmSync(dataDir, { recursive: true, force: true }));

  // Every statement the bot(s) send is counted; the benchmark's own polling is subtracted.
  let statements = 0;
  let kinds: Record<string, number> = {};
  const onQuery = (statement: string) => {
    statements++;
    const kind = statementKind(statement);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  };
  let database: Database;
  let databaseUrl: string | undefined;
  const t0 = performance.now();
  if (o.db === 'postgres') {
    const name = `orch_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(o.postgresUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    defer(async () => {
      const dropper = postgres(o.postgresUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    });
    const url = new URL(o.postgresUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    database = await openDatabase({ databaseUrl, onQuery });
  } else {
    // On disk, as the bot runs by default (DATA_DIR), not in memory.
    database = await openDatabase({ dataDir, onQuery });
  }
  defer(() => database.close());
  o.log(`  database ready (${o.db}) in ${round((performance.now() - t0) / 1000, 1)} s`);

  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackProxy.url,
    HOST: '127.0.0.1',
    GITHUB_TOKEN: github.token,
    GITHUB_API_URL: github.url,
    GITHUB_THROTTLE: 'false',
    GITHUB_REPO: REPO,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_SECURE: 'false',
    EMAIL_FROM: 'bot@acme.test',
    TARGET_EMAIL: 'team@acme.test',
    SLACK_APPROVERS: APPROVER.id,
    // One person plays requester and approver in the benchmark.
    APPROVAL_PREVENT_SELF: 'false',
    RUNNER_CONCURRENCY: String(o.concurrency),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  };
  const config = loadConfig({ ...env, PORT: String(await freePort()), DATA_DIR: dataDir });
  const logger = createLogger({ level: config.logLevel });
  const app = await startOrchestrator(config, logger, {
    database,
    botId: slack.botId,
    botUserId: slack.botUserId,
    githubThrottle: false,
    slackRetries: 0,
  });
  defer(() => app.stop());
  const appUrls = [app.url];

  let worker: Worker | undefined;
  if (o.processes === 2) {
    if (!databaseUrl) throw new Error('two processes need PostgreSQL');
    worker = await startWorker({
      ...env,
      DATABASE_URL: databaseUrl,
      PORT: String(await freePort()),
      DATA_DIR: join(dataDir, 'worker'),
      BENCH_BOT_ID: slack.botId,
      BENCH_BOT_USER_ID: slack.botUserId,
    });
    const w = worker;
    defer(() => w.stop());
    appUrls.push(w.url);
  }
  const senders = appUrls.map(
    (url) =>
      new SlackRequestSender({
        appUrl: `${url}/slack/events`,
        signingSecret: SIGNING_SECRET,
        standIn: slack,
      }),
  );

  // --- seed: N + 1 approved tasks, each with its card posted in a thread (no latency yet)
  const t1 = performance.now();
  const cards = await seedTasks(app.store, slack, o.runs + 1);
  o.log(
    `  seeded ${cards.length} approved tasks with cards in ${round((performance.now() - t1) / 1000, 1)} s`,
  );

  // --- latency on, then the ideal's critical path, measured through the same stand-ins
  github.delayMs = o.latencyMs;
  smtp.delayMs = o.latencyMs;
  slackProxy.delayMs = o.latencyMs;
  const callCosts = await measureCallCosts({
    github: { url: github.url, token: github.token, repo: BASELINE_REPO },
    smtp: config.smtp,
    outboxDir: join(dataDir, 'baseline-outbox'),
    logger,
    repetitions: 5,
  });

  // --- one run alone (also warms the ticket agent's cached GET /user)
  const [single, ...batch] = cards;
  if (!single) throw new Error('nothing seeded');
  const singleStart = Date.now();
  await click(senders[0]!, single);
  const singleRun = await waitForRun(database, single.taskId, 60_000);
  const singleRunMs = singleRun.finishedAt!.getTime() - singleStart;
  o.log(
    `  one run alone: ${singleRunMs} ms (one GitHub call ${round(callCosts.githubCallMs, 1)} ms, ` +
      `one email ${round(callCosts.smtpMs, 1)} ms)`,
  );
  await settleSlack(slackProxy.counter, 1_200, 15_000);

  // --- the batch
  statements = 0;
  kinds = {};
  await worker?.request({ type: 'reset' });
  const updatesBefore = slack.calls('chat.update').length;
  const githubBefore = github.requests.length;
  const smtpBefore = smtp.messages.length;
  const clickedAt = new Map<string, number>();
  const cpuBefore = machineCpu();
  const ownCpuMark = process.cpuUsage();
  const batchStart = Date.now();
  let next = 0;
  await pool(batch, o.clickConcurrency, async (card) => {
    const sender = senders[next++ % senders.length]!;
    clickedAt.set(card.taskId, Date.now());
    await click(sender, card);
  });
  const clicksSeconds = (Date.now() - batchStart) / 1000;
  o.log(`  ${batch.length} Execute clicks sent in ${round(clicksSeconds, 1)} s`);

  let polls = 0;
  const deadline = Date.now() + Math.max(120_000, batch.length * 1_000);
  for (;;) {
    const [row] = await database.db
      .select({ n: count() })
      .from(runs)
      .where(and(inArray(runs.status, ['succeeded', 'failed', 'cancelled']), ne(runs.id, singleRun.id)));
    polls++;
    if ((row?.n ?? 0) >= batch.length) break;
    if (Date.now() > deadline)
      throw new Error(`only ${row?.n ?? 0} of ${batch.length} runs finished in time`);
    await sleep(50);
  }
  const cpuAfter = machineCpu();
  const ownCpu = process.cpuUsage(ownCpuMark);
  const workerAtEnd = worker ? await worker.request({ type: 'stats' }) : undefined;
  // Card updates trail the runs (coalescing); wait until Slack has been quiet for a while.
  await settleSlack(slackProxy.counter, 1_500, 30_000);
  const workerStats = worker ? await worker.request({ type: 'stats' }) : undefined;
  const batchStatements = statements - polls + (workerStats?.queries ?? 0);
  // The benchmark's own polling is one `select runs` each.
  const batchKinds = addCounts(
    { ...kinds, 'select runs': (kinds['select runs'] ?? 0) - polls },
    workerStats?.kinds ?? {},
  );
  const kindsPerRun = Object.fromEntries(
    Object.entries(batchKinds)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => [k, round(n / batch.length, 2)]),
  );

  // --- collect
  const rows = await database.db
    .select()
    .from(runs)
    .where(inArray(runs.taskId, [...clickedAt.keys()]));
  const executeToDone: number[] = [];
  const queued: number[] = [];
  const claimToDone: number[] = [];
  let lastFinish = 0;
  for (const run of rows) {
    const at = clickedAt.get(run.taskId)!;
    const finished = run.finishedAt?.getTime() ?? Number.NaN;
    const started = run.startedAt?.getTime() ?? Number.NaN;
    executeToDone.push(finished - at);
    queued.push(started - at);
    claimToDone.push(finished - started);
    lastFinish = Math.max(lastFinish, finished);
  }
  const stepRows = await database.db
    .select()
    .from(steps)
    .where(
      inArray(
        steps.runId,
        rows.map((r) => r.id),
      ),
    );
  const ms = (a: Date | null, b: Date | null) => (a && b ? b.getTime() - a.getTime() : Number.NaN);
  const ticketStep: number[] = [];
  const emailStep: number[] = [];
  const betweenSteps: number[] = [];
  const byRun = new Map<string, { ticket?: (typeof stepRows)[number]; email?: (typeof stepRows)[number] }>();
  for (const step of stepRows) {
    const entry = byRun.get(step.runId) ?? {};
    if (step.agent === 'ticket' || step.agent === 'email') entry[step.agent] = step;
    byRun.set(step.runId, entry);
  }
  let dumped = 0;
  for (const { ticket, email } of byRun.values()) {
    if (!ticket || !email) continue;
    if (process.env.BENCH_DEBUG && dumped++ < 6)
      o.log(
        JSON.stringify({
          t: [ticket.attempt, ticket.startedAt, ticket.finishedAt],
          e: [email.attempt, email.startedAt, email.finishedAt],
        }),
      );
    ticketStep.push(ms(ticket.startedAt, ticket.finishedAt));
    emailStep.push(ms(email.startedAt, email.finishedAt));
    betweenSteps.push(ms(ticket.finishedAt, email.startedAt));
  }
  // GET /user is made once per process and cached; everything else is per run.
  const githubCalls = github.requests.slice(githubBefore).filter((r) => r.route !== 'GET /user').length;
  const githubCallsPerRun = githubCalls / batch.length;
  const emailsPerRun = (smtp.messages.length - smtpBefore) / batch.length;
  const criticalPath = {
    githubCallsPerRun: round(githubCallsPerRun),
    emailsPerRun: round(emailsPerRun),
    totalMs: round(githubCallsPerRun * callCosts.githubCallMs + emailsPerRun * callCosts.smtpMs, 1),
  };
  const wallSeconds = (lastFinish - batchStart) / 1000;
  const runsPerSecond = batch.length / wallSeconds;
  const totalConcurrency = o.concurrency * o.processes;
  const idealRunsPerSecond = totalConcurrency / (criticalPath.totalMs / 1000);

  const batchTs = new Set(batch.map((c) => c.messageTs));
  const updates = slack.calls('chat.update').slice(updatesBefore);
  const perCard = new Map<string, number>();
  for (const call of updates) {
    const ts = String(call.args.ts);
    if (batchTs.has(ts)) perCard.set(ts, (perCard.get(ts) ?? 0) + 1);
  }
  const cardUpdates = [...perCard.values()].reduce((a, b) => a + b, 0);
  const failedCalls = updates.filter((c) => 'error' in c && c.error !== undefined).length;
  const cardsShowingResult = batch.filter((c) =>
    JSON.stringify(slack.message(CHANNEL, c.messageTs)?.blocks ?? []).includes(`github.com/${REPO}/issues/`),
  ).length;

  const dist = (values: number[]): Distribution => ({
    p50: Math.round(percentile(values, 50)),
    p99: Math.round(percentile(values, 99)),
    max: Math.round(Math.max(...values)),
  });
  const result: ScenarioResult = {
    db: o.db,
    processes: o.processes,
    runs: batch.length,
    latencyMs: o.latencyMs,
    concurrencyPerProcess: o.concurrency,
    totalConcurrency,
    callCosts: {
      githubCallMs: round(callCosts.githubCallMs, 1),
      smtpMs: round(callCosts.smtpMs, 1),
      samples: {
        githubCallMs: callCosts.samples.githubCallMs.map((v) => round(v, 1)),
        smtpMs: callCosts.samples.smtpMs.map((v) => round(v, 1)),
      },
    },
    criticalPath,
    singleRunMs,
    singleRunOverCriticalPath: round(singleRunMs / criticalPath.totalMs),
    batch: {
      wallSeconds: round(wallSeconds),
      runsPerSecond: round(runsPerSecond),
      idealRunsPerSecond: round(idealRunsPerSecond),
      idealOverMeasured: round(idealRunsPerSecond / runsPerSecond),
      clicksSeconds: round(clicksSeconds),
      executeToDoneMs: dist(executeToDone),
      queuedMs: dist(queued),
      claimToDoneMs: dist(claimToDone),
      ticketStepMs: dist(ticketStep),
      emailStepMs: dist(emailStep),
      betweenStepsMs: dist(betweenSteps),
    },
    outcome: {
      succeeded: rows.filter((r) => r.status === 'succeeded').length,
      failed: rows.filter((r) => r.status !== 'succeeded').length,
      issues: github.issues(REPO).length - 1,
      emails: smtp.messages.length - smtpBefore,
    },
    database: {
      statements: batchStatements,
      perRun: round(batchStatements / batch.length, 1),
      kindsPerRun,
    },
    slack: {
      chatUpdates: cardUpdates,
      perRun: round(cardUpdates / batch.length),
      perStepTransition: round(cardUpdates / batch.length / STEP_TRANSITIONS_PER_RUN),
      maxPerRun: Math.max(0, ...perCard.values()),
      failedCalls,
      cardsShowingResult,
    },
    github: { requestsPerRun: round((github.requests.length - githubBefore) / batch.length, 2) },
    cpu: {
      machineBusy: (() => {
        const share = busyShare(cpuBefore, cpuAfter);
        return share === null ? null : round(share);
      })(),
      mainProcessMsPerRun: round((ownCpu.user + ownCpu.system) / 1000 / batch.length, 1),
      workerMsPerRun: workerAtEnd ? round(workerAtEnd.cpuMs / batch.length, 1) : null,
      claimsByWorker: workerAtEnd?.claims ?? null,
    },
  };
  o.log(
    `  ${round(runsPerSecond)} runs/s (ideal ${round(idealRunsPerSecond)}, ×${result.batch.idealOverMeasured}), ` +
      `p50 ${result.batch.executeToDoneMs.p50} ms, p99 ${result.batch.executeToDoneMs.p99} ms, ` +
      `${result.database.perRun} statements/run, ${result.slack.perRun} chat.update/run`,
  );
  return result;
}

// ------------------------------------------------------------------------------------ helpers

interface Card {
  taskId: string;
  messageTs: string;
}

function benchTask(i: number): ExtractedTask {
  return {
    title: `Add rate limiting to endpoint ${i}`,
    description:
      `Endpoint ${i} accepts unlimited attempts. Limit it to 5 attempts per minute per IP and ` +
      'answer 429 with Retry-After when the limit is hit; log the client and the route.',
    acceptanceCriteria: [
      'More than 5 attempts in a minute from one IP get 429',
      'The 429 carries a Retry-After header',
      'Limits are configurable per environment',
    ],
    priority: 'HIGH',
    deadline: null,
    labels: ['security', 'bench'],
    assignee: null,
    evidence: 'We need to add rate limiting, 5 attempts per minute per IP.',
  };
}

/** Approved tasks with their cards posted by the bot token, as the extraction flow would leave them. */
async function seedTasks(store: TaskStore, slack: SlackWebApiStandIn, n: number): Promise<Card[]> {
  const web = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  const cards: Card[] = [];
  for (let start = 0; start < n; start += TASKS_PER_DISCUSSION) {
    const size = Math.min(TASKS_PER_DISCUSSION, n - start);
    const parent = slack.postMessage({
      channel: CHANNEL,
      user: APPROVER.id,
      text: `Follow-ups, part ${start}`,
    });
    const { discussion, tasks } = await store.createDiscussion(
      {
        teamId: slack.teamId,
        channelId: CHANNEL,
        threadTs: parent.ts,
        permalink: slack.permalink(CHANNEL, parent.ts),
        requestedBy: APPROVER.id,
        source: 'thread',
        messageCount: 1,
        extractor: 'rules',
        truncated: false,
        inputTokens: 0,
        outputTokens: 0,
      },
      Array.from({ length: size }, (_, i) => benchTask(start + i)),
      REPO,
    );
    const made: Card[] = [];
    await pool(tasks, 8, async (task) => {
      const approved = await store.approveTask(task.id, APPROVER.id, task.version);
      const card = buildTaskCard(toTaskCardModel(approved, discussion, undefined, {}));
      const posted = await web.chat.postMessage({
        channel: CHANNEL,
        thread_ts: parent.ts,
        text: card.text,
        blocks: card.blocks,
      });
      if (!posted.ts) throw new Error('chat.postMessage returned no ts');
      await store.setCardMessage(task.id, CHANNEL, posted.ts);
      made.push({ taskId: task.id, messageTs: posted.ts });
    });
    cards.push(...made);
  }
  return cards;
}

async function click(sender: SlackRequestSender, card: Card): Promise<void> {
  const res = await sender.blockAction({
    user: APPROVER.id,
    channel: CHANNEL,
    messageTs: card.messageTs,
    actionId: ACTIONS.execute,
    value: card.taskId,
  });
  if (res.status !== 200) throw new Error(`Execute click answered ${res.status}`);
}

async function waitForRun(database: Database, taskId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [run] = await database.db.select().from(runs).where(eq(runs.taskId, taskId));
    if (run?.finishedAt) {
      if (run.status !== 'succeeded') throw new Error(`the single run ended ${run.status}: ${run.error}`);
      return run;
    }
    if (Date.now() > deadline) throw new Error('the single run did not finish in time');
    await sleep(10);
  }
}

/** Resolves once no Slack API call arrived for `quietMs` (bounded by `maxMs`). */
async function settleSlack(counter: () => { total: number }, quietMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let last = counter().total;
  let quietSince = Date.now();
  while (Date.now() < end) {
    await sleep(100);
    const now = counter().total;
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) return;
  }
}

// ------------------------------------------------------------------------- the second process

interface Worker {
  url: string;
  request(
    message: ParentMessage & { type: 'reset' | 'stats' },
  ): Promise<{ queries: number; kinds: Record<string, number>; claims: number; cpuMs: number }>;
  stop(): Promise<void>;
}

async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: Array<(m: WorkerMessage) => void> = [];
  child.on('message', (raw) => {
    const parsed = WorkerMessage.safeParse(raw);
    if (parsed.success) for (const w of waiters.splice(0)) w(parsed.data);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = (timeoutMs: number) =>
    new Promise<WorkerMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker process did not answer')), timeoutMs);
      waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
      void exited.then(() => reject(new Error('the worker process exited')));
    });
  const ready = await next(60_000);
  if (ready.type !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`the worker did not start: ${ready.type === 'failed' ? ready.message : ready.type}`);
  }
  return {
    url: ready.url,
    async request(message) {
      const answer = next(10_000);
      child.send(message);
      const m = await answer;
      if (m.type !== 'stats') throw new Error(`unexpected answer from the worker: ${m.type}`);
      return { queries: m.queries, kinds: m.kinds, claims: m.claims, cpuMs: m.cpuMs };
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
