import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schema } from '../../db/index.js';
import type { ExtractedTask } from '../../src/domain/extraction.js';
import type { TaskFields } from '../../src/domain/task.js';
import { TaskActionError, TaskStore } from '../../src/tasks/task-store.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { testPermissions, versionOf } from '../support/permissions.js';

const extracted = (title: string): ExtractedTask => ({
  title,
  description: `${title} description`,
  acceptanceCriteria: ['it works'],
  priority: 'MEDIUM',
  deadline: null,
  labels: ['backend'],
  assignee: null,
  evidence: 'we need to do it',
});

const fields = (overrides: Partial<TaskFields> = {}): TaskFields => ({
  title: 'Edited title',
  description: 'Edited',
  acceptanceCriteria: ['a', 'b'],
  priority: 'HIGH',
  labels: ['x'],
  deadline: '2026-12-01',
  assignee: 'U2',
  repo: 'acme/web',
  ...overrides,
});

describe.each(DATABASE_KINDS)('TaskStore on %s', (kind) => {
  let database: TestDatabase;
  let store: TaskStore;
  let openStore: TaskStore;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    store = new TaskStore(database.db, testPermissions(['UAPPROVER']));
    openStore = new TaskStore(database.db, testPermissions([], { admins: ['UANY', 'U1'] }));
  });
  afterAll(async () => database.close());
  beforeEach(async () => database.truncate());

  async function oneTask() {
    const { tasks } = await store.createDiscussion(
      {
        teamId: 'T1',
        channelId: 'C1',
        threadTs: '1.0',
        permalink: null,
        requestedBy: 'UREQ',
        source: 'thread',
        messageCount: 4,
        extractor: 'rules',
        truncated: false,
        inputTokens: 0,
        outputTokens: 0,
      },
      [extracted('Add rate limit'), extracted('Write docs')],
      'acme/api',
    );
    expect(tasks).toHaveLength(2);
    return tasks[0]!;
  }

  it('creates tasks in order with the default repo and an audit event', async () => {
    const task = await oneTask();
    expect(task).toMatchObject({ title: 'Add rate limit', repo: 'acme/api', status: 'proposed', version: 1 });
    const audit = await database.db.select().from(schema.auditEvents);
    expect(audit.map((a) => a.action)).toEqual(['extract']);
  });

  it('refuses approval by a non-approver and leaves the task unchanged', async () => {
    const task = await oneTask();
    await expect(
      store.approveTask(task.id, 'USOMEONE', await versionOf(store, task.id)),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect((await store.getTask(task.id))?.status).toBe('proposed');
  });

  it('with no approvers configured, lets only workspace admins approve and says how to name approvers', async () => {
    const task = await oneTask();
    await expect(openStore.approveTask(task.id, 'UNOBODY', task.version)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/admins and owners.*SLACK_APPROVERS/),
    });
    const approved = await openStore.approveTask(task.id, 'UANY', await versionOf(openStore, task.id));
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'UANY' });
    expect(approved.approvedAt).toBeInstanceOf(Date);
  });

  it("approves, then an approver's edit sends the task back to proposed; a non-approver's edit is refused", async () => {
    const task = await oneTask();
    const approved = await store.approveTask(task.id, 'UAPPROVER', await versionOf(store, task.id));
    await expect(store.editTask(task.id, approved.version, fields(), 'UEDITOR')).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/only an approver can change it/),
    });
    expect(await store.getTask(task.id)).toMatchObject({ status: 'approved', version: approved.version });
    const edited = await store.editTask(task.id, approved.version, fields(), 'UAPPROVER');
    expect(edited).toMatchObject({
      status: 'proposed',
      approvedBy: null,
      lastEditedBy: 'UAPPROVER',
      title: 'Edited title',
      priority: 'HIGH',
    });
    expect(edited.version).toBe(approved.version + 1);
  });

  it('approves, rejects and executes only the version the click carried; the audit records it', async () => {
    const task = await oneTask();
    await store.editTask(task.id, task.version, fields({ title: 'Changed meanwhile' }), 'UEDITOR');
    // The approver's card still showed version 1.
    await expect(store.approveTask(task.id, 'UAPPROVER', task.version)).rejects.toMatchObject({
      code: 'stale',
      message: expect.stringMatching(/changed since you looked/),
    });
    await expect(store.rejectTask(task.id, 'UAPPROVER', task.version)).rejects.toMatchObject({
      code: 'stale',
    });
    expect((await store.getTask(task.id))?.status).toBe('proposed');
    const approved = await store.approveTask(task.id, 'UAPPROVER', task.version + 1);
    await expect(store.startRun(task.id, 'UAPPROVER', task.version + 1)).rejects.toMatchObject({
      code: 'stale',
    });
    await store.startRun(task.id, 'UAPPROVER', approved.version);
    const audit = await database.db.select().from(schema.auditEvents);
    expect(audit.find((a) => a.action === 'approve')?.detail).toMatchObject({ version: task.version + 1 });
    expect(audit.find((a) => a.action === 'execute')?.detail).toMatchObject({ version: approved.version });
  });

  it('with APPROVAL_PREVENT_SELF, refuses approval by the requester and by the last editor', async () => {
    const strict = new TaskStore(
      database.db,
      testPermissions(['UREQ', 'UAPPROVER', 'UEDITOR'], { preventSelf: true }),
    );
    const task = await oneTask(); // requested by UREQ
    await expect(strict.approveTask(task.id, 'UREQ', task.version)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/You asked for this task/),
    });
    const edited = await strict.editTask(task.id, task.version, fields(), 'UEDITOR');
    await expect(strict.approveTask(task.id, 'UEDITOR', edited.version)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/You made the last change/),
    });
    expect((await strict.getTask(task.id))?.status).toBe('proposed');
    await expect(strict.approveTask(task.id, 'UAPPROVER', edited.version)).resolves.toMatchObject({
      status: 'approved',
    });
  });

  it('refuses a stale edit and keeps the newer data', async () => {
    const task = await oneTask();
    await store.editTask(task.id, task.version, fields({ title: 'First edit' }), 'U1');
    const err = await store
      .editTask(task.id, task.version, fields({ title: 'Second edit' }), 'U2')
      .catch((e) => e);
    expect(err).toBeInstanceOf(TaskActionError);
    expect(err.code).toBe('stale');
    // The version check, not only the update's WHERE: it says what to do next (issue 14).
    expect(err.message).toMatch(/open Edit again/);
    expect((await store.getTask(task.id))?.title).toBe('First edit');
  });

  it('executes only approved tasks, by approvers', async () => {
    const task = await oneTask();
    await expect(store.startRun(task.id, 'UAPPROVER', await versionOf(store, task.id))).rejects.toMatchObject(
      { code: 'invalid_state' },
    );
    await store.approveTask(task.id, 'UAPPROVER', await versionOf(store, task.id));
    await expect(store.startRun(task.id, 'USOMEONE', await versionOf(store, task.id))).rejects.toMatchObject({
      code: 'forbidden',
    });
    const { run, created } = await store.startRun(task.id, 'UAPPROVER', await versionOf(store, task.id));
    expect(created).toBe(true);
    const steps = await database.db.select().from(schema.steps).where(eq(schema.steps.runId, run.id));
    expect(steps.map((s) => s.agent).sort()).toEqual(['email', 'ticket']);
    expect((await store.getTask(task.id))?.status).toBe('running');
  });

  it('starts exactly one run for 20 concurrent Execute clicks', async () => {
    const task = await oneTask();
    await store.approveTask(task.id, 'UAPPROVER', await versionOf(store, task.id));
    const version = await versionOf(store, task.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.startRun(task.id, 'UAPPROVER', version)),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
    expect(await database.db.select().from(schema.runs)).toHaveLength(1);
  });

  it.skipIf(kind !== 'postgres')('starts one run for 20 clicks spread over two processes', async () => {
    const task = await oneTask();
    await store.approveTask(task.id, 'UAPPROVER', await versionOf(store, task.id));
    // A second connection pool on the same database stands for a second bot process.
    const other = await openDatabase({ databaseUrl: database.url!, migrate: false });
    try {
      const otherStore = new TaskStore(other.db, testPermissions(['UAPPROVER']));
      const version = await versionOf(store, task.id);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? store : otherStore).startRun(task.id, 'UAPPROVER', version),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await database.db.select().from(schema.runs)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('retries a failed run keeping succeeded steps', async () => {
    const task = await oneTask();
    await store.approveTask(task.id, 'UAPPROVER', await versionOf(store, task.id));
    const { run } = await store.startRun(task.id, 'UAPPROVER', await versionOf(store, task.id));
    await database.db
      .update(schema.steps)
      .set({ status: 'succeeded' })
      .where(eq(schema.steps.agent, 'ticket'));
    await database.db
      .update(schema.steps)
      .set({ status: 'failed', error: 'smtp down' })
      .where(eq(schema.steps.agent, 'email'));
    await database.db.update(schema.runs).set({ status: 'failed' }).where(eq(schema.runs.id, run.id));
    await database.db.update(schema.tasks).set({ status: 'failed' }).where(eq(schema.tasks.id, task.id));
    const retried = await store.retryRun(task.id, 'UAPPROVER', await versionOf(store, task.id));
    expect(retried.run.id).toBe(run.id);
    const steps = await database.db.select().from(schema.steps).where(eq(schema.steps.runId, run.id));
    expect(Object.fromEntries(steps.map((s) => [s.agent, s.status]))).toEqual({
      ticket: 'succeeded',
      email: 'pending',
    });
  });

  it('rejects, and a rejected task cannot be executed', async () => {
    const task = await oneTask();
    await store.rejectTask(task.id, 'UAPPROVER', await versionOf(store, task.id));
    await expect(store.startRun(task.id, 'UAPPROVER', await versionOf(store, task.id))).rejects.toMatchObject(
      { code: 'invalid_state' },
    );
    expect((await store.getTask(task.id))?.rejectedBy).toBe('UAPPROVER');
  });

  it('answers not_found for unknown or malformed ids', async () => {
    await expect(store.approveTask('not-a-uuid', 'UAPPROVER', 1)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      store.startRun('00000000-0000-4000-8000-000000000000', 'UAPPROVER', 1),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
