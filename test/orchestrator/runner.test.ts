import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { type Agent, type AgentContext, AgentError } from '../../src/agents/types.js';
import { createLogger } from '../../src/logger.js';
import { backoffDelay, describeFailure, UNEXPECTED_FAILURE } from '../../src/orchestrator/retry-policy.js';
import { Runner } from '../../src/orchestrator/runner.js';
import { TaskStore } from '../../src/tasks/task-store.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { testPermissions, versionOf } from '../support/permissions.js';

const logger = createLogger({ level: 'silent' });

/** An agent we script per test: the runner is the unit here, agents are its collaborators. */
function scriptedAgent(
  name: 'ticket' | 'email',
  behaviour: (ctx: AgentContext) => Promise<Record<string, unknown>>,
): Agent & { calls: number } {
  const agent = {
    name,
    calls: 0,
    async run(ctx: AgentContext) {
      agent.calls += 1;
      return behaviour(ctx);
    },
  };
  return agent;
}

describe('retry policy', () => {
  it('grows exponentially with jitter, capped, never below Retry-After', () => {
    const policy = { baseMs: 100, maxMs: 1_000 };
    expect(backoffDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1_000);
    expect(backoffDelay(1, policy, 5_000, () => 0.5)).toBe(5_000);
  });

  it('classifies agent errors and treats unknown errors as permanent, their text for approvers only', () => {
    expect(describeFailure(new AgentError('SMTP 451', 'transient', { retryAfterMs: 10 }))).toEqual({
      message: 'SMTP 451',
      detail: undefined,
      transient: true,
      retryAfterMs: 10,
    });
    expect(
      describeFailure(new AgentError('GitHub refused (401)', 'permanent', { detail: 'check GITHUB_TOKEN' })),
    ).toMatchObject({ message: 'GitHub refused (401)', detail: 'check GITHUB_TOKEN' });
    // An unexpected error may name hosts, paths or variables: the card gets a plain sentence.
    expect(describeFailure(new TypeError('connect ECONNREFUSED db.internal:5432\n    at foo'))).toEqual({
      message: UNEXPECTED_FAILURE,
      detail: 'connect ECONNREFUSED db.internal:5432',
      transient: false,
    });
  });
});

describe.each(DATABASE_KINDS)('Runner on %s', (kind) => {
  let database: TestDatabase;
  let store: TaskStore;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = new TaskStore(database.db, testPermissions([], { admins: ['UANY', 'U1'] }));
  });
  afterAll(async () => database.close());
  beforeEach(async () => database.truncate());

  async function queuedRun(): Promise<{ taskId: string; runId: string }> {
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
    const task = tasks[0]!;
    await store.approveTask(task.id, 'U1', await versionOf(store, task.id));
    const { run } = await store.startRun(task.id, 'U1', await versionOf(store, task.id));
    return { taskId: task.id, runId: run.id };
  }

  function runner(agents: Agent[], extra: Partial<ConstructorParameters<typeof Runner>[0]> = {}): Runner {
    return new Runner({
      database,
      agents: Object.fromEntries(agents.map((a) => [a.name, a])),
      logger,
      backoffBaseMs: 5,
      pollMs: 20,
      ...extra,
    });
  }

  it('runs the steps in order, passing earlier outputs on, and finishes the task', async () => {
    const { taskId } = await queuedRun();
    const seen: unknown[] = [];
    const ticket = scriptedAgent('ticket', async () => ({ url: 'https://example.test/1' }));
    const email = scriptedAgent('email', async (ctx) => {
      seen.push(ctx.previous.ticket);
      return { messageId: 'm1' };
    });
    const r = runner([ticket, email]);
    await r.start();
    await r.idle();
    await r.stop();
    expect(seen).toEqual([{ url: 'https://example.test/1' }]);
    expect((await store.getTask(taskId))?.status).toBe('done');
  });

  it('retries transient errors up to the limit, then fails the run with the reason', async () => {
    const { taskId } = await queuedRun();
    const ticket = scriptedAgent('ticket', async () => {
      throw new AgentError('GitHub answered 502', 'transient');
    });
    const email = scriptedAgent('email', async () => ({}));
    const r = runner([ticket, email], { maxAttempts: 3 });
    await r.start();
    await r.idle();
    await r.stop();
    expect(ticket.calls).toBe(3);
    expect(email.calls).toBe(0);
    const latest = await store.latestRun(taskId);
    expect(latest?.run.status).toBe('failed');
    expect(latest?.steps[0]).toMatchObject({ status: 'failed', attempt: 3 });
    expect(latest?.steps[0]?.error).toMatch(/502.*gave up after 3 attempts/);
    expect((await store.getTask(taskId))?.status).toBe('failed');
  });

  it('fails at once on a permanent error', async () => {
    const { taskId } = await queuedRun();
    const ticket = scriptedAgent('ticket', async () => {
      throw new AgentError('GitHub rejected the token (401)', 'permanent');
    });
    const r = runner([ticket, scriptedAgent('email', async () => ({}))]);
    await r.start();
    await r.idle();
    await r.stop();
    expect(ticket.calls).toBe(1);
    expect((await store.latestRun(taskId))?.steps[0]).toMatchObject({ status: 'failed', attempt: 1 });
  });

  it('on shutdown, hands a step that does not finish in time back, uncounted, for the next process', async () => {
    const { taskId, runId } = await queuedRun();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = scriptedAgent('ticket', (ctx) => {
      started();
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(new AgentError('aborted', 'transient')));
      });
    });
    const first = runner([slow, scriptedAgent('email', async () => ({}))]);
    await first.start();
    await running;
    await first.stop(50);
    const [step] = await database.db
      .select()
      .from(schema.steps)
      .where(eq(schema.steps.runId, runId))
      .orderBy(schema.steps.position);
    expect(step).toMatchObject({ status: 'pending', attempt: 0, leaseOwner: null });

    const ticket = scriptedAgent('ticket', async () => ({ ok: true }));
    const second = runner([ticket, scriptedAgent('email', async () => ({}))]);
    await second.start();
    await second.idle();
    await second.stop();
    expect(ticket.calls).toBe(1);
    expect((await store.getTask(taskId))?.status).toBe('done');
  });

  it('takes over a step whose lease expired (its process died) and never repeats a succeeded one', async () => {
    const { taskId, runId } = await queuedRun();
    // A dead process left the ticket step succeeded and the email step running with a stale lease.
    await database.db
      .update(schema.steps)
      .set({ status: 'succeeded', attempt: 1, output: { url: 'u' } })
      .where(eq(schema.steps.agent, 'ticket'));
    await database.db
      .update(schema.steps)
      .set({ status: 'running', attempt: 1, leaseOwner: 'dead', leaseUntil: new Date(Date.now() - 1000) })
      .where(eq(schema.steps.agent, 'email'));
    await database.db.update(schema.runs).set({ status: 'running' }).where(eq(schema.runs.id, runId));
    const ticket = scriptedAgent('ticket', async () => ({}));
    const email = scriptedAgent('email', async () => ({ messageId: 'm' }));
    const r = runner([ticket, email]);
    await r.start();
    await r.idle();
    await r.stop();
    expect(ticket.calls).toBe(0);
    expect(email.calls).toBe(1);
    expect((await store.latestRun(taskId))?.steps[1]).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('records effects in the ledger so a repeated step can see them', async () => {
    await queuedRun();
    const keys: string[] = [];
    const ticket = scriptedAgent('ticket', async (ctx) => {
      await ctx.effects?.begin(ctx.idempotencyKey, 'test');
      await ctx.effects?.complete(ctx.idempotencyKey, 'ext-1', { n: 1 });
      keys.push(ctx.idempotencyKey);
      return {};
    });
    const r = runner([ticket, scriptedAgent('email', async () => ({}))]);
    await r.start();
    await r.idle();
    await r.stop();
    const [effect] = await database.db.select().from(schema.effects);
    expect(effect).toMatchObject({ idempotencyKey: keys[0], status: 'done', externalId: 'ext-1' });
  });
});
