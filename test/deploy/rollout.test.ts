import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatChangeCause } from '../../src/agents/deploy/change-cause.js';
import { DeployError } from '../../src/agents/deploy/errors.js';
import type { KubernetesEnvironment } from '../../src/agents/deploy/kubernetes-target.js';
import {
  type DeployOptions,
  deploy,
  memoryJournal,
  type RolloutClock,
  type RolloutProgress,
  rollBack,
} from '../../src/agents/deploy/rollout.js';
import type { DeployTarget } from '../../src/agents/deploy/target.js';
import type { KubeStandIn } from '../support/kube-standin.js';
import { IMAGE_BAD, IMAGE_V1, IMAGE_V2, kubeFixture, PROD, storedImage } from './kube-fixture.js';

const deployCause = formatChangeCause({
  action: 'deploy',
  taskId: 'T-42',
  runId: 'R-7',
  pullRequest: 12,
  approvedBy: 'lena',
});
const rollbackCause = formatChangeCause({
  action: 'rollback',
  taskId: 'T-42',
  runId: 'R-7',
  approvedBy: 'lena',
});

async function deployError(promise: Promise<unknown>): Promise<DeployError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DeployError) return err;
    throw err;
  }
  throw new Error('expected a DeployError');
}

describe('deploy and roll back (against the Kubernetes stand-in)', () => {
  let kube: KubeStandIn;
  let target: DeployTarget<KubernetesEnvironment>;
  let clock: RolloutClock;
  let progress: RolloutProgress[];
  const summaries = () => progress.map((p) => `${p.phase}: ${p.summary}`);

  const options = (image: string, extra: Partial<DeployOptions<KubernetesEnvironment>> = {}) => ({
    target,
    environment: PROD,
    change: { image, changeCause: deployCause },
    rollbackTo: { image: IMAGE_V1, changeCause: rollbackCause },
    clock,
    pollIntervalMs: 2000,
    timeoutMs: 5 * 60_000,
    onProgress: (p: RolloutProgress) => {
      progress.push(p);
    },
    ...extra,
  });

  beforeEach(async () => {
    ({ kube, target, clock } = await kubeFixture());
    progress = [];
  });
  afterEach(async () => {
    await kube.close();
  });

  it('deploys: one patch, progress reported as the rollout moves, until rolled out', async () => {
    const outcome = await deploy(options(IMAGE_V2, { pollIntervalMs: 500 }));
    expect(outcome).toEqual({ result: 'deployed', image: IMAGE_V2, patched: true });
    expect(summaries()).toEqual([
      'deploy: waiting for the controller to pick up the change',
      'deploy: 1 of 4 updated',
      'deploy: 2 of 4 updated',
      'deploy: 3 of 4 updated',
      'deploy: 1 old replica terminating',
      'deploy: 3 of 4 available',
      'deploy: rolled out',
    ]);
    expect(progress.every((p) => p.image === IMAGE_V2)).toBe(true);
    expect(kube.patches()).toHaveLength(1);
    expect(storedImage(kube)).toBe(IMAGE_V2);
    expect(kube.cluster.deployment('prod', 'web')).toMatchObject({
      metadata: { annotations: { 'kubernetes.io/change-cause': deployCause } },
    });
  });

  it('rolls a bad image back to the previous one when the progress deadline passes', async () => {
    const outcome = await deploy(options(IMAGE_BAD));
    expect(outcome).toEqual({
      result: 'rolled-back',
      image: IMAGE_V1,
      failedImage: IMAGE_BAD,
      failure: {
        reason: 'progress-deadline-exceeded',
        summary: 'no progress within the deadline (2 of 4 updated)',
      },
    });
    expect(summaries()).toEqual([
      'deploy: waiting for the controller to pick up the change',
      'deploy: 2 of 4 updated',
      'deploy: progress deadline exceeded',
      'rollback: waiting for the controller to pick up the change',
      'rollback: rolled out',
    ]);
    expect(kube.patches().map((r) => r.status)).toEqual([200, 200]);
    expect(storedImage(kube)).toBe(IMAGE_V1);
    expect(kube.cluster.deployment('prod', 'web')).toMatchObject({
      metadata: {
        annotations: {
          'kubernetes.io/change-cause': rollbackCause,
          'deployment.kubernetes.io/revision': '3',
        },
      },
    });
  });

  it('rolls back when its own timeout passes before the cluster gives up', async () => {
    const outcome = await deploy(options(IMAGE_BAD, { timeoutMs: 30_000 }));
    expect(outcome).toMatchObject({
      result: 'rolled-back',
      image: IMAGE_V1,
      failure: { reason: 'timeout', summary: 'not done in time (2 of 4 updated)' },
    });
    expect(storedImage(kube)).toBe(IMAGE_V1);
  });

  it('reports a failure it cannot roll back when no earlier image is known', async () => {
    const outcome = await deploy(options(IMAGE_BAD, { rollbackTo: null }));
    expect(outcome).toEqual({
      result: 'failed',
      failedImage: IMAGE_BAD,
      failure: {
        reason: 'progress-deadline-exceeded',
        summary: 'no progress within the deadline (2 of 4 updated)',
      },
      rollback: null,
    });
    expect(kube.patches()).toHaveLength(1);
  });

  it('reports both failures when the rollback does not complete either', async () => {
    const otherBad = 'registry.example.com/acme/web:1.9.0-broken';
    const outcome = await deploy(
      options(IMAGE_BAD, { rollbackTo: { image: otherBad, changeCause: rollbackCause } }),
    );
    expect(outcome).toMatchObject({
      result: 'failed',
      failedImage: IMAGE_BAD,
      failure: { reason: 'progress-deadline-exceeded' },
      rollback: { image: otherBad, failure: { reason: 'progress-deadline-exceeded' } },
    });
  });

  it('refuses a paused Deployment with a message saying so, and patches nothing', async () => {
    kube.cluster.setPaused('prod', 'web', true);
    const err = await deployError(deploy(options(IMAGE_V2)));
    expect(err).toMatchObject({ code: 'paused', kind: 'permanent' });
    expect(err.message).toBe('Deployment "web" in namespace "prod" is paused, so nothing would roll out');
    expect(kube.patches()).toHaveLength(0);
  });

  it('stops following when the Deployment is paused during the rollout', async () => {
    kube.onServed = (request) => {
      if (request.verb === 'patch') kube.cluster.setPaused('prod', 'web', true);
    };
    const err = await deployError(deploy(options(IMAGE_V2)));
    expect(err).toMatchObject({ code: 'paused', kind: 'permanent' });
    expect(err.message).toMatch(/^The rollout of .+:2\.0\.0 was paused \(paused at \d of 4 updated\)$/);
    expect(kube.patches()).toHaveLength(1);
  });

  it('fails on 403 naming the verb the service account lacks', async () => {
    kube.rbac = [{ verbs: ['get'], resources: ['deployments'], namespaces: ['prod'] }];
    const err = await deployError(deploy(options(IMAGE_V2)));
    expect(err).toMatchObject({ code: 'forbidden', kind: 'permanent' });
    expect(err.message).toBe(
      'The service account may not patch deployments in namespace "prod" (403 Forbidden)',
    );
  });

  it('retries a 409 Conflict and deploys; explains one that persists', async () => {
    let touches = 1;
    kube.onServed = (request) => {
      if (request.verb === 'get' && touches-- > 0) kube.cluster.touch('prod', 'web');
    };
    expect(await deploy(options(IMAGE_V2))).toMatchObject({ result: 'deployed' });
    expect(kube.patches().map((r) => r.status)).toEqual([409, 200]);

    kube.onServed = (request) => {
      if (request.verb === 'get') kube.cluster.touch('prod', 'web');
    };
    const err = await deployError(deploy({ ...options(IMAGE_V1), rollbackTo: null }));
    expect(err).toMatchObject({ code: 'conflict', kind: 'transient' });
    expect(err.message).toContain('kept changing while the bot tried to patch it');
  });

  it('polls through a flaky API (5xx) and reports it, then completes', async () => {
    let failures = 2;
    kube.onServed = (request) => {
      if (request.verb === 'patch') kube.failNext({ verb: 'get' }, 503, { times: failures-- });
    };
    const outcome = await deploy(options(IMAGE_V2));
    expect(outcome).toMatchObject({ result: 'deployed' });
    expect(summaries()[0]).toBe('deploy: Kubernetes API not answering; retrying');
    expect(summaries().at(-1)).toBe('deploy: rolled out');
  });

  it('gives up following an API that stays down past the timeout, without rolling back', async () => {
    kube.onServed = (request) => {
      if (request.verb === 'patch') kube.failNext({ verb: 'get' }, 503, { times: 1000 });
    };
    const err = await deployError(deploy(options(IMAGE_V2, { timeoutMs: 20_000 })));
    expect(err).toMatchObject({ code: 'server-error', kind: 'transient' });
    expect(kube.patches()).toHaveLength(1);
  });

  it('resumes following after a restart that came right after the PATCH, with no second patch', async () => {
    const journal = memoryJournal();
    const crash = new AbortController();
    kube.onServed = (request) => {
      if (request.verb === 'patch') crash.abort();
    };
    const first = await deployError(deploy(options(IMAGE_V2, { journal, signal: crash.signal })));
    expect(first).toMatchObject({ code: 'cancelled' });
    expect(kube.patches()).toHaveLength(1);

    kube.onServed = null;
    kube.advance(1000); // the cluster went on while the bot was down
    const outcome = await deploy(options(IMAGE_V2, { journal }));
    expect(outcome).toEqual({ result: 'deployed', image: IMAGE_V2, patched: false });
    expect(kube.patches()).toHaveLength(1);
  });

  it('resumes a rollback after a restart, never re-applying the failed image', async () => {
    const journal = memoryJournal();
    const crash = new AbortController();
    kube.onServed = (request) => {
      // The second PATCH is the rollback's: the bot dies right after it.
      if (request.verb === 'patch' && kube.patches().length === 2) crash.abort();
    };
    await deployError(deploy(options(IMAGE_BAD, { journal, signal: crash.signal })));
    expect(journal.checkpoint).toMatchObject({ phase: 'rolling-back', failedImage: IMAGE_BAD });

    kube.onServed = null;
    const outcome = await deploy(options(IMAGE_BAD, { journal }));
    expect(outcome).toMatchObject({ result: 'rolled-back', image: IMAGE_V1, failedImage: IMAGE_BAD });
    expect(kube.patches()).toHaveLength(2);
    expect(storedImage(kube)).toBe(IMAGE_V1);

    // Finished: a further restart only returns the outcome.
    const requests = kube.requests.length;
    expect(await deploy(options(IMAGE_BAD, { journal }))).toEqual(outcome);
    expect(kube.requests).toHaveLength(requests);
  });

  it('reports "superseded" and does not roll back when someone else changes the image meanwhile', async () => {
    kube.onServed = (request) => {
      if (request.verb === 'patch' && kube.patches().length === 1) {
        kube.cluster.update('prod', 'web', (d) => {
          const spec = d.spec as {
            template: { spec: { containers: Array<{ name: string; image: string }> } };
          };
          spec.template.spec.containers[0] = { name: 'web', image: 'registry.example.com/acme/web:9.9.9' };
          return d;
        });
      }
    };
    const outcome = await deploy(options(IMAGE_BAD));
    expect(outcome).toEqual({
      result: 'superseded',
      image: IMAGE_BAD,
      current: 'registry.example.com/acme/web:9.9.9',
    });
    expect(kube.patches()).toHaveLength(1);
  });

  it('rolls back on request and follows it to the end', async () => {
    await deploy(options(IMAGE_V2));
    progress = [];
    const outcome = await rollBack({
      target,
      environment: PROD,
      change: { image: IMAGE_V1, changeCause: rollbackCause },
      clock,
      timeoutMs: 5 * 60_000,
      onProgress: (p) => {
        progress.push(p);
      },
    });
    expect(outcome).toEqual({ result: 'rolled-back', image: IMAGE_V1, patched: true });
    expect(summaries().at(-1)).toBe('rollback: rolled out');
    expect(storedImage(kube)).toBe(IMAGE_V1);
  });

  it('keeps deploying when a progress report throws', async () => {
    const outcome = await deploy(
      options(IMAGE_V2, {
        onProgress: () => {
          throw new Error('Slack is down');
        },
      }),
    );
    expect(outcome).toMatchObject({ result: 'deployed' });
  });
});
