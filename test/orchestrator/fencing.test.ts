import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import type { Agent, AgentContext } from '../../src/agents/types.js';
import { createLogger } from '../../src/logger.js';
import { createEffectLedger, EffectOwnedElsewhereError } from '../../src/orchestrator/effect-ledger.js';
import { Runner } from '../../src/orchestrator/runner.js';
import { type ClaimedStep, StepClaims } from '../../src/orchestrator/step-claims.js';
import { TaskStore } from '../../src/tasks/task-store.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { testPermissions, versionOf } from '../support/permissions.js';

const logger = createLogger({ level: 'silent' });

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(DATABASE_KINDS)('fencing by claim token (%s)', (kind) => {
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

  /** What a process that stopped beating looks like to everyone else: its lease ran out. */
  async function expireLease(stepId: string): Promise<void> {
    await database.db
      .update(schema.steps)
      .set({ leaseUntil: new Date(Date.now() - 60_000) })
      .where(eq(schema.steps.id, stepId));
  }

  async function stepRow(stepId: string) {
    const [row] = await database.db.select().from(schema.steps).where(eq(schema.steps.id, stepId));
    return row!;
  }

  // Same owner: the old fence (lease_owner) could not tell the two claims apart.
  it.each([
    ['another process', 'proc-a', 'proc-b'],
    ['the same process', 'proc-a', 'proc-a'],
  ])(
    'a step taken over by %s cannot be completed, failed, retried or heartbeated by its old claim',
    async (_what, ownerA, ownerB) => {
      const { taskId } = await queuedRun();
      const a = new StepClaims(database.db, ownerA, 60_000);
      const b = new StepClaims(database.db, ownerB, 60_000);
      const old = (await a.claimNext()) as ClaimedStep;
      expect(old.agent).toBe('ticket');
      await a.startRun(old.runId);
      expect(await a.renew(old)).toBe('held');
      await expireLease(old.id);
      const taken = (await b.claimNext()) as ClaimedStep;
      expect(taken.id).toBe(old.id);
      expect(taken.claimToken).not.toBe(old.claimToken);

      expect(await a.renew(old)).toBe('lost');
      expect(await a.succeed(old, taskId, { from: 'old' })).toBe('fenced');
      expect(await a.fail(old, taskId, 'old claim failed')).toBe(false);
      expect(await a.retryLater(old, 'old claim retry', 0)).toBe(false);
      await a.handBack(old);
      await a.skipCancelled(old);
      expect(await stepRow(old.id)).toMatchObject({
        status: 'running',
        claimToken: taken.claimToken,
        error: null,
      });

      expect(await b.renew(taken)).toBe('held');
      expect(await b.succeed(taken, taskId, { from: 'new' })).toBe('step-done');
      expect(await stepRow(old.id)).toMatchObject({ status: 'succeeded', output: { from: 'new' } });
    },
  );

  it('a ledger begin held by another live claim refuses; once that claim is gone it is taken over', async () => {
    await queuedRun();
    const claims = new StepClaims(database.db, 'proc-a', 60_000);
    const first = (await claims.claimNext()) as ClaimedStep;
    const owner = createEffectLedger(database.db, first.claimToken);
    await owner.begin('task:x:github_issue', 'github_issue');
    // The owner may begin again (a retry inside its own attempt).
    await owner.begin('task:x:github_issue', 'github_issue');

    const intruder = createEffectLedger(database.db, '00000000-0000-4000-8000-000000000001');
    await expect(intruder.begin('task:x:github_issue', 'github_issue')).rejects.toBeInstanceOf(
      EffectOwnedElsewhereError,
    );
    await expect(intruder.begin('task:x:github_issue', 'github_issue')).rejects.toMatchObject({
      kind: 'transient',
    });

    // The owner's lease ran out and its step was claimed again: the new claim may begin.
    await expireLease(first.id);
    const second = (await claims.claimNext()) as ClaimedStep;
    const successor = createEffectLedger(database.db, second.claimToken);
    await successor.begin('task:x:github_issue', 'github_issue');
    const [row] = await database.db.select().from(schema.effects);
    expect(row).toMatchObject({ claimToken: second.claimToken, status: 'started' });
    await expect(owner.begin('task:x:github_issue', 'github_issue')).rejects.toBeInstanceOf(
      EffectOwnedElsewhereError,
    );
  });

  it('two claims of one step in one process never run the agent at the same time: one email', async () => {
    const { taskId, runId } = await queuedRun();
    await database.db
      .update(schema.steps)
      .set({ status: 'succeeded', attempt: 1, output: {} })
      .where(eq(schema.steps.agent, 'ticket'));
    let running = 0;
    let maxRunning = 0;
    let sent = 0;
    let calls = 0;
    let releaseFirst!: () => void;
    const firstMayFinish = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    // Behaves like the email agent: ledger check, begin, send, complete.
    const email: Agent = {
      name: 'email',
      async run(ctx: AgentContext) {
        calls += 1;
        const call = calls;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        try {
          const recorded = await ctx.effects?.get(ctx.idempotencyKey);
          if (recorded?.status === 'done') return { reused: true };
          await ctx.effects?.begin(ctx.idempotencyKey, 'email');
          if (call === 1) {
            // The first claim is slow; it stops only when told to (abort) or released.
            await Promise.race([
              firstMayFinish,
              new Promise((_, reject) =>
                ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
              ),
            ]);
          }
          sent += 1;
          await ctx.effects?.complete(ctx.idempotencyKey, `m${call}`, { call });
          return { messageId: `m${call}` };
        } finally {
          running -= 1;
        }
      },
    };
    // A long lease: the heartbeat will not notice the takeover by itself during the test.
    const r = new Runner({
      database,
      agents: { email },
      logger,
      pollMs: 20,
      leaseMs: 60_000,
      backoffBaseMs: 5,
    });
    await r.start();
    await until('the first claim to run the agent', () => calls === 1 && running === 1);
    const [step] = await database.db.select().from(schema.steps).where(eq(schema.steps.agent, 'email'));
    // Its lease runs out (a long GC pause, a stalled database) and the recovery job releases it:
    // the same process claims the step again while the first flight is still in the agent.
    await expireLease(step!.id);
    expect(await r.recoverExpiredLeases()).toBe(1);
    await until('the step to be claimed again', async () => (await stepRow(step!.id)).attempt >= 2);
    await until('the run to finish or both claims to be inside the agent', async () => {
      if (running >= 2) return true;
      const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
      return run?.status === 'succeeded';
    });
    releaseFirst();
    await r.idle();
    await r.stop();
    expect(maxRunning).toBe(1);
    expect(sent).toBe(1);
    expect((await store.getTask(taskId))?.status).toBe('done');
  });
});
