import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { WAKE_CHANNEL } from '../../src/orchestrator/runner.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { TaskStore } from '../../src/tasks/task-store.js';
import { type ChildBot, standInEnv, startChildBot } from '../support/child-bot.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { freePort, REPO, SIGNING_SECRET, USERS } from '../support/harness.js';
import { testPermissions, versionOf } from '../support/permissions.js';
import { type SmtpStandIn, startSmtpStandIn } from '../support/smtp-standin.js';

const RUNS = 200;

describe.skipIf(!process.env.TEST_DATABASE_URL)('two bot processes on one PostgreSQL', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  });

  it(`drain ${RUNS} queued runs with every step run exactly once`, { timeout: 180_000 }, async () => {
    const slack = await SlackWebApiStandIn.start();
    const github: GitHubStandIn = await startGitHubStandIn({ repos: [REPO] });
    github.delayMs = 5; // enough for the two processes to overlap
    const smtp: SmtpStandIn = await startSmtpStandIn();
    const database: TestDatabase = await openTestDatabase('postgres');
    const dataDir = mkdtempSync(join(tmpdir(), 'orch-multi-'));
    cleanup.push(
      () => slack.close(),
      () => github.close(),
      () => smtp.close(),
      () => database.close(),
      async () => rmSync(dataDir, { recursive: true, force: true }),
    );

    // Queue the runs before any bot is up: approved tasks, Execute recorded, nobody working yet.
    const store = new TaskStore(database.db, testPermissions([USERS.lead.id]));
    const { tasks } = await store.createDiscussion(
      {
        teamId: 'T1',
        channelId: 'C0ENG',
        threadTs: null,
        permalink: null,
        requestedBy: USERS.lead.id,
        source: 'text',
        messageCount: 1,
        extractor: 'rules',
        truncated: false,
        inputTokens: 0,
        outputTokens: 0,
      },
      Array.from({ length: RUNS }, (_, i) => ({
        title: `Task number ${i}`,
        description: 'load test',
        acceptanceCriteria: ['done'],
        priority: 'LOW' as const,
        deadline: null,
        labels: [],
        assignee: null,
        evidence: 'bench',
      })),
      REPO,
    );
    for (const task of tasks) {
      await store.approveTask(task.id, USERS.lead.id, await versionOf(store, task.id));
      await store.startRun(task.id, USERS.lead.id, await versionOf(store, task.id));
    }

    const env = {
      ...standInEnv({
        slack,
        github,
        smtpPort: smtp.port,
        signingSecret: SIGNING_SECRET,
        repo: REPO,
        dataDir,
        databaseUrl: database.url,
      }),
      RUNNER_CONCURRENCY: '4',
      // Client-side write spacing (1 issue/s per process) would make this a test of Octokit.
      GITHUB_THROTTLE: 'false',
    };
    const bots: ChildBot[] = await Promise.all([
      startChildBot(env, await freePort()),
      startChildBot(env, await freePort()),
    ]);
    cleanup.push(...bots.map((b) => () => b.kill('SIGKILL')));
    await database.sql!.notify(WAKE_CHANNEL, 'run');

    const deadline = Date.now() + Number(process.env.MULTI_DEADLINE_MS ?? 150_000);
    for (;;) {
      const live = await database.db
        .select({ id: schema.runs.id })
        .from(schema.runs)
        .where(inArray(schema.runs.status, ['queued', 'running']));
      if (live.length === 0) break;
      if (Date.now() > deadline) {
        const stepStates = await database.db.select().from(schema.steps);
        const counts: Record<string, number> = {};
        for (const st of stepStates)
          counts[`${st.agent}:${st.status}:${st.attempt}`] =
            (counts[`${st.agent}:${st.status}:${st.attempt}`] ?? 0) + 1;
        throw new Error(
          `${live.length} runs still not finished; steps ${JSON.stringify(counts)}\n${bots
            .map((b) =>
              b
                .output()
                .split('\n')
                .filter((l) => /"level":(40|50|60)/.test(l))
                .slice(-5)
                .join('\n'),
            )
            .join('\n---\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    const runs = await database.db.select().from(schema.runs);
    expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(RUNS);
    const steps = await database.db.select().from(schema.steps);
    expect(steps).toHaveLength(RUNS * 2);
    expect(steps.every((s) => s.status === 'succeeded' && s.attempt === 1)).toBe(true);

    // The stand-ins saw each effect exactly once.
    const created = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues'));
    expect(created).toHaveLength(RUNS);
    const issueTitles = github.issues(REPO).map((i) => i.title);
    expect(new Set(issueTitles).size).toBe(RUNS);
    expect(smtp.messages).toHaveLength(RUNS);
    expect(new Set(smtp.messages.map((m) => m.parsed.messageId)).size).toBe(RUNS);

    // Both processes did part of the work.
    const succeededIn = bots.map((b) => (b.output().match(/"msg":"run succeeded"/g) ?? []).length);
    expect(succeededIn[0]! + succeededIn[1]!).toBe(RUNS);
    expect(Math.min(...succeededIn)).toBeGreaterThan(0);

    await Promise.all(bots.map((b) => b.kill('SIGTERM')));
  });
});
