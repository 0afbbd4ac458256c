import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { taskBranchName } from '../../src/domain/github-link.js';
import { createLogger } from '../../src/logger.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { BuildStarter } from '../../src/tasks/build-start.js';
import { octokitFor } from '../github-standin/client.js';
import { DATABASE_KINDS } from '../support/database.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';

const SECRET = 'build-webhook-secret';
const [OWNER, NAME] = REPO.split('/') as [string, string];

describe.each(DATABASE_KINDS)('Phase 3: a merged PR builds on GitHub Actions (%s)', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      kind,
      env: {
        GITHUB_WEBHOOK_SECRET: SECRET,
        GITHUB_POLL_CRON: 'off',
        BUILD_WORKFLOW: 'build.yml',
        IMAGE_REPOSITORY: 'ghcr.io/acme/web',
      },
      start: { buildPollMs: 20 },
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not JS
    h.github.actions.addWorkflow(REPO, { file: 'build.yml', runName: 'Build ${{ inputs.correlation_id }}' });
  });
  afterAll(async () => h.close());
  let requestsBefore = 0;
  beforeEach(async () => {
    await h.database.truncate();
    requestsBefore = h.github.requests.length;
    h.github.actions.runDetails = 'supported';
    h.github.webhooks.configure({ url: `${h.app.url}/github/webhooks`, secret: SECRET });
  });

  const maintainer = () => octokitFor(h.github, h.github.tokenFor('maya', REPO, 'write'));

  /** Executes a task, opens its PR and merges it (the merge arrives as a signed webhook). */
  async function mergedTask() {
    const { cards } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, 'Follow-ups from the outage'],
      [USERS.alice.id, 'We need to add rate limiting to the login endpoint.'],
    ]);
    const card = cards[0]!;
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
    await h.github.webhooks.flush();
    await h.app.idle();
    const [task] = await h.database.db.select().from(schema.tasks).where(eq(schema.tasks.messageTs, card.ts));
    const branch = taskBranchName(task!.id, task!.title);
    if (!h.github.sha(REPO, 'main'))
      h.github.commitFiles(REPO, { 'README.md': '# web\n' }, { branch: 'main' });
    h.github.commitFiles(REPO, { 'src/limit.ts': 'export const LIMIT = 5;\n' }, { branch, message: 'limit' });
    const gh = maintainer();
    const { data: pr } = await gh.pulls.create({
      owner: OWNER,
      repo: NAME,
      head: branch,
      base: 'main',
      title: 'Rate limit',
    });
    h.github.setPull(REPO, pr.number, { mergeable: true });
    const { data: merge } = await gh.pulls.merge({ owner: OWNER, repo: NAME, pull_number: pr.number });
    await h.github.webhooks.flush();
    const run = await waitFor(() => h.github.actions.runs(REPO).find((r) => r.status === 'queued'));
    return { card, task: task!, pr: pr.number, sha: merge.sha, run };
  }

  async function waitFor<T>(get: () => T | undefined, what = 'a workflow run'): Promise<T> {
    for (let i = 0; i < 500; i++) {
      const value = get();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const buildSteps = () => h.database.db.select().from(schema.steps).where(eq(schema.steps.agent, 'build'));
  const dispatches = () =>
    h.github.requests
      .slice(requestsBefore)
      .filter((r) => r.route === 'POST /repos/:owner/:repo/actions/workflows/:workflow_id/dispatches');

  it('happy path: the merge dispatches the workflow on the merge commit, follows it, records the image', async () => {
    const { card, sha, run, pr } = await mergedTask();
    expect(run.head_sha).toBe(sha);
    expect(run.inputs).toMatchObject({ sha });
    expect(run.inputs.correlation_id).toMatch(/^orch-/);
    expect(run.display_title).toContain(run.inputs.correlation_id);
    expect(dispatches()).toHaveLength(1);
    expect(dispatches()[0]?.body).toMatchObject({ return_run_details: true, ref: 'main' });

    await waitFor(
      () => (textOf(h.slack.message(CHANNEL, card.ts)).includes('queued') ? true : undefined),
      'queued',
    );
    h.github.actions.start(REPO, run.id);
    await waitFor(
      () => (textOf(h.slack.message(CHANNEL, card.ts)).includes('in progress') ? true : undefined),
      'in progress',
    );
    h.github.actions.complete(REPO, run.id, 'success');
    await h.app.idle();

    const [step] = await buildSteps();
    expect(step).toMatchObject({ status: 'succeeded' });
    expect(step?.output).toMatchObject({
      state: 'succeeded',
      runId: run.id,
      runAttempt: 1,
      headSha: sha,
      pull: pr,
      image: `ghcr.io/acme/web:${sha}`,
    });
    const shown = textOf(h.slack.message(CHANNEL, card.ts));
    expect(shown).toContain('*Build* — succeeded');
    expect(shown).toContain(`ghcr.io/acme/web:${sha}`);
    expect(shown).toContain(`run ${run.id}`);
  });

  it('a failed build shows the failing job, step, log tail and run link (server without run details)', async () => {
    h.github.actions.runDetails = 'ignored';
    const { card, run } = await mergedTask();
    h.github.actions.start(REPO, run.id);
    h.github.actions.complete(REPO, run.id, 'failure', {
      step: 'Run build',
      log: 'src/limit.ts(1,14): error TS2322: Type "five" is not assignable',
    });
    await h.app.idle();

    const [step] = await buildSteps();
    expect(step).toMatchObject({ status: 'failed' });
    expect(step?.output).toMatchObject({ state: 'failed', job: 'build', step: 'Run build', runId: run.id });
    expect(String(step?.output?.logTail)).toContain('error TS2322');
    const shown = textOf(h.slack.message(CHANNEL, card.ts));
    expect(shown).toContain('*Build* — failed');
    expect(shown).toContain('step “Run build”');
    expect(shown).toContain('error TS2322');
    expect(shown).toContain(`/actions/runs/${run.id}`);
    const [dbRun] = await h.database.db.select().from(schema.runs).where(eq(schema.runs.id, step!.runId));
    expect(dbRun?.errorDetail).toContain('error TS2322');
  });

  it('the same merge delivered twice, polled, and reported again builds once', async () => {
    const { task, sha, run, pr } = await mergedTask();
    const merged = h.github.webhooks.deliveries.find(
      (d) => d.event === 'pull_request' && d.action === 'closed',
    );
    expect(merged?.status).toBe(202);
    const again = await h.github.webhooks.redeliver(merged!.id);
    expect(again.status).toBe(202);
    await h.github.webhooks.flush();
    const starter = new BuildStarter({
      db: h.database.db,
      links: h.app.githubEvents.links,
      logger: createLogger({ level: 'silent' }),
      workflow: 'build.yml',
      onStarted: () => {},
    });
    expect(await starter.start(task.id, { repo: REPO, pull: pr, sha }, 'maya')).toEqual({
      started: false,
      reason: 'duplicate',
    });
    h.github.actions.start(REPO, run.id);
    h.github.actions.complete(REPO, run.id, 'success');
    await h.app.idle();
    expect(await buildSteps()).toHaveLength(1);
    expect(dispatches()).toHaveLength(1);
    expect(h.github.actions.runs(REPO).filter((r) => r.head_sha === sha)).toHaveLength(1);
  });
});
