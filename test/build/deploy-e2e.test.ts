import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { taskBranchName } from '../../src/domain/github-link.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { PROD, storedImage } from '../deploy/kube-fixture.js';
import { octokitFor } from '../github-standin/client.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';
import { type KubeStandIn, startKubeStandIn } from '../support/kube-standin.js';

const SECRET = 'deploy-webhook-secret';
const [OWNER, NAME] = REPO.split('/') as [string, string];
const INITIAL = 'ghcr.io/acme/web:initial';

/** Phase 4 without a gate: an environment with approval: false is deployed right after the build. */
describe('Phase 4: merge → build → deploy to Kubernetes (pglite)', () => {
  let h: Harness;
  let kube: KubeStandIn;

  beforeAll(async () => {
    kube = await startKubeStandIn({ isBadImage: (image) => image.endsWith('-broken') });
    kube.seedDeployment({
      namespace: PROD.namespace,
      name: PROD.deployment,
      containers: [{ name: 'web', image: INITIAL }],
      replicas: 4,
      progressDeadlineSeconds: 60,
      changeCause: 'initial install',
    });
    h = await startHarness({
      env: {
        GITHUB_WEBHOOK_SECRET: SECRET,
        GITHUB_POLL_CRON: 'off',
        BUILD_WORKFLOW: 'build.yml',
        IMAGE_REPOSITORY: 'ghcr.io/acme/web',
        DEPLOY_ENVIRONMENTS: JSON.stringify([
          {
            name: 'production',
            namespace: PROD.namespace,
            deployment: PROD.deployment,
            container: 'web',
            approval: false,
          },
        ]),
      },
      start: {
        buildPollMs: 20,
        kubernetesAccess: { kind: 'token', server: kube.url, token: kube.token },
        // The rollout's sleeps move the simulated cluster's clock: no real waiting.
        deployClock: { now: () => kube.now(), sleep: async (ms) => kube.advance(ms) },
        deployPollMs: 2000,
      },
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not JS
    h.github.actions.addWorkflow(REPO, { file: 'build.yml', runName: 'Build ${{ inputs.correlation_id }}' });
  });
  afterAll(async () => {
    await h.close();
    await kube.close();
  });
  beforeEach(async () => {
    await h.database.truncate();
    h.github.webhooks.configure({ url: `${h.app.url}/github/webhooks`, secret: SECRET });
  });

  async function waitFor<T>(get: () => T | undefined): Promise<T> {
    for (let i = 0; i < 500; i++) {
      const value = get();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('timed out waiting for a workflow run');
  }

  /** A task executed, its PR merged, its build run completed (with an optional image-ref artifact). */
  async function shipTask(text: string, imageRef?: string) {
    const { cards } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, 'Follow-ups'],
      [USERS.alice.id, text],
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
    h.github.commitFiles(REPO, { [`src/${task!.id}.ts`]: 'export {};\n' }, { branch, message: 'work' });
    const gh = octokitFor(h.github, h.github.tokenFor('maya', REPO, 'write'));
    const { data: pr } = await gh.pulls.create({
      owner: OWNER,
      repo: NAME,
      head: branch,
      base: 'main',
      title: text,
    });
    h.github.setPull(REPO, pr.number, { mergeable: true });
    const { data: merge } = await gh.pulls.merge({ owner: OWNER, repo: NAME, pull_number: pr.number });
    await h.github.webhooks.flush();
    const run = await waitFor(() => h.github.actions.runs(REPO).find((r) => r.head_sha === merge.sha));
    if (imageRef)
      h.github.actions.addArtifact(REPO, run.id, 'image-ref', { 'image-ref.txt': `${imageRef}\n` });
    h.github.actions.start(REPO, run.id);
    h.github.actions.complete(REPO, run.id, 'success');
    await h.app.idle();
    return { card, sha: merge.sha };
  }

  const deploySteps = () => h.database.db.select().from(schema.steps).where(eq(schema.steps.agent, 'deploy'));

  it('deploys the built image, records a GitHub Deployment with statuses, shows it on the card', async () => {
    const { card, sha } = await shipTask('We need to add rate limiting to the login endpoint.');
    const image = `ghcr.io/acme/web:${sha}`;
    expect(storedImage(kube)).toBe(image);
    const [step] = await deploySteps();
    expect(step).toMatchObject({ status: 'succeeded' });
    expect(step?.output).toMatchObject({
      environments: [{ environment: 'production', result: 'deployed', image, previousImage: null }],
    });
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    const deployments = h.github.requests.filter((r) => r.route === 'POST /repos/:owner/:repo/deployments');
    expect(deployments.at(-1)?.body).toMatchObject({
      ref: sha,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
    });
    const statuses = h.github.requests
      .filter((r) => r.route === 'POST /repos/:owner/:repo/deployments/:id/statuses')
      .map((r) => (r.body as { state: string }).state);
    expect(statuses.slice(-2)).toEqual(['in_progress', 'success']);
    const shown = textOf(h.slack.message(CHANNEL, card.ts));
    expect(shown).toContain('*Deploy* — production: deployed');
    expect(shown).toContain(image);
  });

  it('a bad image rolls back automatically to the last image the bot deployed', async () => {
    const first = await shipTask('We need to add rate limiting to the login endpoint.');
    const good = `ghcr.io/acme/web:${first.sha}`;
    expect(storedImage(kube)).toBe(good);

    const { card } = await shipTask(
      'We need to cache the session lookups in the API.',
      'ghcr.io/acme/web:v2-broken',
    );
    expect(storedImage(kube)).toBe(good);
    const steps = await deploySteps();
    const failed = steps.find((s) => s.status === 'failed');
    expect(failed?.output).toMatchObject({
      environments: [
        {
          environment: 'production',
          result: 'rolled-back',
          image: 'ghcr.io/acme/web:v2-broken',
          previousImage: good,
        },
      ],
    });
    const shown = textOf(h.slack.message(CHANNEL, card.ts));
    expect(shown).toContain('production: failed, rolled back');
    expect(shown).toContain(`rolled back to ${good}`);
    const statuses = h.github.requests
      .filter((r) => r.route === 'POST /repos/:owner/:repo/deployments/:id/statuses')
      .map((r) => (r.body as { state: string }).state);
    expect(statuses.at(-1)).toBe('failure');
  });
});
