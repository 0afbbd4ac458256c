import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent, AgentContext } from '../../src/agents/types.js';
import { createLogger } from '../../src/logger.js';
import { Runner } from '../../src/orchestrator/runner.js';
import { TaskStore } from '../../src/tasks/task-store.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { testPermissions, versionOf } from '../support/permissions.js';

const logger = createLogger({ level: 'silent' });

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An agent whose first `hangs` attempts wait on a call that never answers and ignore the signal. */
function hangingAgent(name: 'ticket' | 'email', hangs: number): Agent & { calls: number } {
  const agent = {
    name,
    calls: 0,
    async run(_ctx: AgentContext): Promise<Record<string, unknown>> {
      agent.calls += 1;
      if (agent.calls <= hangs) await new Promise(() => {});
      return { ok: true };
    },
  };
  return agent;
}

describe.each(DATABASE_KINDS)('the overall step deadline (%s)', (kind) => {
  let database: TestDatabase;
  let store: TaskStore;
  const runners: Runner[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = new TaskStore(database.db, testPermissions([], { admins: ['UANY', 'U1'] }));
  });
  afterAll(async () => database.close());
  beforeEach(async () => {
    // A runner of an earlier test must not claim this test's steps.
    for (const r of runners.splice(0)) await r.stop(50);
    await database.truncate();
  });

  async function queuedTask(): Promise<string> {
    const { tasks } = await store.createDiscussion(
      {
        teamId: null,
        channelId: 'C1',
        threadTs: null,
        permalink: null,
        requestedBy: 'U1',
        source: 'text',
        messageCount: 1,
        extractor: 'rules',
        truncated: false,
        inputTokens: 0,
        outputTokens: 0,
      },
      [
        {
          title: 'Do it',
          description: '',
          acceptanceCriteria: [],
          priority: 'LOW',
          deadline: null,
          labels: [],
          assignee: null,
          evidence: '',
        },
      ],
      'a/b',
    );
    await store.approveTask(tasks[0]!.id, 'U1', await versionOf(store, tasks[0]!.id));
    await store.startRun(tasks[0]!.id, 'U1', await versionOf(store, tasks[0]!.id));
    return tasks[0]!.id;
  }

  function start(agents: Agent[], maxAttempts: number, stepTimeoutsMs = {}): Runner {
    const r = new Runner({
      database,
      agents: Object.fromEntries(agents.map((a) => [a.name, a])),
      logger,
      pollMs: 20,
      backoffBaseMs: 5,
      stepTimeoutMs: 300,
      stepTimeoutsMs,
      maxAttempts,
    });
    runners.push(r);
    return r;
  }

  it('a step that hangs past the deadline fails as transient and is retried', async () => {
    const taskId = await queuedTask();
    const ticket = hangingAgent('ticket', 1);
    const email = hangingAgent('email', 0);
    const r = start([ticket, email], 3);
    await r.start();
    await until('the task to be done', async () => (await store.getTask(taskId))?.status === 'done');
    expect(ticket.calls).toBe(2);
    expect(email.calls).toBe(1);
    expect(r.stats().inFlight).toBe(0);
  });

  it('with no attempts left the run fails and says the step took too long', async () => {
    const taskId = await queuedTask();
    const r = start([hangingAgent('ticket', 5), hangingAgent('email', 0)], 1);
    await r.start();
    await until('the task to fail', async () => (await store.getTask(taskId))?.status === 'failed');
    const run = await store.latestRun(taskId);
    expect(run?.steps[0]).toMatchObject({ status: 'failed' });
    expect(run?.steps[0]?.error).toMatch(/took longer than 300 ms/);
    expect(run?.steps[0]?.error).toMatch(/gave up after 1 attempts/);
  });

  it('an agent with a longer budget of its own gets that deadline instead', async () => {
    const taskId = await queuedTask();
    let calls = 0;
    const slow: Agent = {
      name: 'ticket',
      async run() {
        calls += 1;
        await new Promise((r) => setTimeout(r, 700));
        return { ok: true };
      },
    };
    const r = start([slow, hangingAgent('email', 0)], 1, { ticket: 10_000 });
    await r.start();
    await until('the task to be done', async () => (await store.getTask(taskId))?.status === 'done');
    expect(calls).toBe(1);
  });
});
