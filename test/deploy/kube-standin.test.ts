import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { observationOf, rolloutStatus } from '../../src/agents/deploy/rollout-status.js';
import { createLogger } from '../../src/logger.js';
import {
  createKubernetesClient,
  KubernetesApiError,
  type KubernetesClient,
  KubernetesConnectionError,
} from '../../src/services/kubernetes.js';
import type { Deployment } from '../../src/services/kubernetes-objects.js';
import type { KubeStandIn } from '../support/kube-standin.js';
import { IMAGE_BAD, IMAGE_V1, IMAGE_V2, kubeFixture, PROD } from './kube-fixture.js';

/** The stand-in itself, driven by the real @kubernetes/client-node. */

const ref = { namespace: PROD.namespace, name: PROD.deployment };
const setImage = (image: string, name = 'web') => ({
  spec: { template: { spec: { containers: [{ name, image }] } } },
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('Kubernetes API stand-in', () => {
  let kube: KubeStandIn;
  let client: KubernetesClient;
  beforeEach(async () => {
    ({ kube, client } = await kubeFixture({ timeoutMs: 1000 }));
  });
  afterEach(async () => {
    await kube.close();
  });

  describe('objects and patches', () => {
    it('serves a seeded Deployment rolled out at revision 1, and its ReplicaSet by label selector', async () => {
      const deployment = await client.readDeployment(ref);
      expect(deployment.spec.template.spec.containers.map((c) => c.image)).toEqual([
        IMAGE_V1,
        'envoyproxy/envoy:v1.31',
      ]);
      expect(deployment.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1' });
      expect(rolloutStatus(observationOf(deployment)).state).toBe('complete');
      const replicaSets = await client.listReplicaSets('prod', 'app=web');
      expect(replicaSets).toHaveLength(1);
      expect(replicaSets[0]?.metadata.ownerReferences?.[0]?.uid).toBe(deployment.metadata.uid);
      expect(await client.listReplicaSets('prod', 'app=api')).toEqual([]);
      expect(await client.listReplicaSets('staging', 'app=web')).toEqual([]);
      expect(kube.requests.map((r) => [r.verb, r.resource, r.user])).toEqual([
        ['get', 'deployments', 'system:serviceaccount:orchestrator:deployer'],
        ['list', 'replicasets', 'system:serviceaccount:orchestrator:deployer'],
        ['list', 'replicasets', 'system:serviceaccount:orchestrator:deployer'],
        ['list', 'replicasets', 'system:serviceaccount:orchestrator:deployer'],
      ]);
    });

    it('applies a strategic merge patch by container name, bumping generation and resourceVersion', async () => {
      const before = await client.readDeployment(ref);
      const after = await client.patchDeployment(ref, setImage(IMAGE_V2), 'strategic');
      expect(kube.requests.at(-1)?.contentType).toBe('application/strategic-merge-patch+json');
      expect(after.spec.template.spec.containers.map((c) => c.image)).toEqual([
        IMAGE_V2,
        'envoyproxy/envoy:v1.31',
      ]);
      expect(after.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
      expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
      expect(after.status?.observedGeneration).toBe(before.metadata.generation);
    });

    it('adds a container when a strategic merge patch names an unknown one', async () => {
      const after = await client.patchDeployment(ref, setImage(IMAGE_V2, 'wbe'), 'strategic');
      expect(after.spec.template.spec.containers.map((c) => c.name)).toEqual(['web', 'proxy', 'wbe']);
    });

    it('replaces the whole container list with a merge patch', async () => {
      const after = await client.patchDeployment(ref, setImage(IMAGE_V2), 'merge');
      expect(kube.requests.at(-1)?.contentType).toBe('application/merge-patch+json');
      expect(after.spec.template.spec.containers).toEqual([{ name: 'web', image: IMAGE_V2 }]);
    });

    it('applies a JSON patch, and answers 422 Invalid when its test fails', async () => {
      const after = await client.patchDeployment(
        ref,
        [
          { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'web' },
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: IMAGE_V2 },
        ],
        'json',
      );
      expect(after.spec.template.spec.containers[0]?.image).toBe(IMAGE_V2);
      const err = await failure(
        client.patchDeployment(
          ref,
          [
            { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'api' },
            { op: 'replace', path: '/spec/template/spec/containers/0/image', value: IMAGE_V1 },
          ],
          'json',
        ),
      );
      expect(err).toBeInstanceOf(KubernetesApiError);
      expect(err).toMatchObject({ status: 422, reason: 'Invalid' });
      expect((await client.readDeployment(ref)).spec.template.spec.containers[0]?.image).toBe(IMAGE_V2);
    });

    it('validates the patched object: duplicate container names and an empty image are 422', async () => {
      const duplicate = await failure(
        client.patchDeployment(
          ref,
          [{ op: 'replace', path: '/spec/template/spec/containers/1/name', value: 'web' }],
          'json',
        ),
      );
      expect(duplicate).toMatchObject({ status: 422, reason: 'Invalid' });
      expect((duplicate as KubernetesApiError).serverMessage).toContain('Duplicate value: "web"');
      const empty = await failure(client.patchDeployment(ref, setImage(''), 'strategic'));
      expect(empty).toMatchObject({ status: 422, reason: 'Invalid' });
    });

    it('answers 409 Conflict to a patch carrying a stale resourceVersion', async () => {
      const read = await client.readDeployment(ref);
      kube.cluster.touch('prod', 'web');
      const err = await failure(
        client.patchDeployment(
          ref,
          { metadata: { resourceVersion: read.metadata.resourceVersion ?? '' }, ...setImage(IMAGE_V2) },
          'strategic',
        ),
      );
      expect(err).toMatchObject({ status: 409, reason: 'Conflict' });
      const fresh = await client.readDeployment(ref);
      await client.patchDeployment(
        ref,
        { metadata: { resourceVersion: fresh.metadata.resourceVersion ?? '' }, ...setImage(IMAGE_V2) },
        'strategic',
      );
      expect((await client.readDeployment(ref)).spec.template.spec.containers[0]?.image).toBe(IMAGE_V2);
    });

    it('answers 404 NotFound for an unknown Deployment or namespace', async () => {
      for (const missing of [
        { namespace: 'prod', name: 'api' },
        { namespace: 'nowhere', name: 'web' },
      ]) {
        const err = await failure(client.readDeployment(missing));
        expect(err).toMatchObject({
          status: 404,
          reason: 'NotFound',
          serverMessage: `deployments.apps "${missing.name}" not found`,
        });
      }
    });

    it('answers 415 to a patch in an unknown format', async () => {
      const res = await fetch(`${kube.url}/apis/apps/v1/namespaces/prod/deployments/web`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
    });
  });

  describe('authentication and RBAC', () => {
    it('answers 401 to an unknown token', async () => {
      const stranger = createKubernetesClient({
        access: { kind: 'token', server: kube.url, token: 'not-a-token' },
        logger: createLogger({ level: 'silent' }),
      });
      expect(await failure(stranger.readDeployment(ref))).toMatchObject({ status: 401 });
    });

    it('answers 403 per verb, resource and namespace, naming the user and verb', async () => {
      kube.rbac = [
        { verbs: ['get'], resources: ['deployments'], namespaces: ['prod'] },
        { verbs: ['list'], resources: ['replicasets'], namespaces: ['staging'] },
      ];
      await client.readDeployment(ref);
      const patch = await failure(client.patchDeployment(ref, setImage(IMAGE_V2), 'strategic'));
      expect(patch).toMatchObject({ status: 403, reason: 'Forbidden' });
      expect((patch as KubernetesApiError).serverMessage).toBe(
        'deployments.apps "web" is forbidden: User "system:serviceaccount:orchestrator:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "prod"',
      );
      const list = await failure(client.listReplicaSets('prod', 'app=web'));
      expect((list as KubernetesApiError).serverMessage).toContain('cannot list resource "replicasets"');
      expect(await client.listReplicaSets('staging', 'app=web')).toEqual([]);
      expect(kube.cluster.deployment('prod', 'web')).toMatchObject({ metadata: { generation: 1 } });
    });
  });

  describe('faults', () => {
    it('fails the next calls with a chosen status, and 429 with Retry-After', async () => {
      kube.failNext({ verb: 'get' }, 503, { times: 2 });
      kube.failNext({ verb: 'list' }, 429, { retryAfterSeconds: 7 });
      expect(await failure(client.readDeployment(ref))).toMatchObject({
        status: 503,
        reason: 'ServiceUnavailable',
      });
      expect(await failure(client.readDeployment(ref))).toMatchObject({ status: 503 });
      expect(await client.readDeployment(ref)).toBeTruthy();
      expect(await failure(client.listReplicaSets('prod', 'app=web'))).toMatchObject({
        status: 429,
        retryAfterMs: 7000,
      });
    });

    it('hangs a call until the client deadline gives up on it', async () => {
      kube.hangNext({ verb: 'get' });
      const err = await failure(client.readDeployment(ref));
      expect(err).toBeInstanceOf(KubernetesConnectionError);
      expect(err).toMatchObject({
        kind: 'timeout',
        call: { verb: 'get', resource: 'deployments', name: 'web' },
      });
      expect(await client.readDeployment(ref)).toBeTruthy();
    });

    it('trickles a body slower than the client deadline allows', async () => {
      kube.trickleNext({ verb: 'get' }, { intervalMs: 200, chunkBytes: 16 });
      const err = await failure(client.readDeployment(ref));
      expect(err).toMatchObject({ kind: 'timeout' });
    });
  });

  describe('the simulated Deployment controller', () => {
    const look = async () => {
      const deployment: Deployment = await client.readDeployment(ref);
      return { deployment, status: rolloutStatus(observationOf(deployment)) };
    };

    it('rolls a new image out: observed generation, then updated, old terminating, available, done', async () => {
      await client.patchDeployment(ref, setImage(IMAGE_V2), 'strategic');
      const summaries: string[] = [(await look()).status.summary];
      for (let i = 0; i < 12; i++) {
        kube.advance(500);
        const { status } = await look();
        if (summaries.at(-1) !== status.summary) summaries.push(status.summary);
      }
      expect(summaries).toEqual([
        'waiting for the controller to pick up the change',
        '1 of 4 updated',
        '2 of 4 updated',
        '3 of 4 updated',
        '1 old replica terminating',
        '3 of 4 available',
        'rolled out',
      ]);
      const { deployment } = await look();
      expect(deployment.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      const replicaSets = await client.listReplicaSets('prod', 'app=web');
      expect(
        replicaSets.map((rs) => [
          rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
          rs.spec.replicas,
        ]),
      ).toEqual([
        ['1', 0],
        ['2', 4],
      ]);
    });

    it('never makes a bad image available and marks ProgressDeadlineExceeded once the deadline passes', async () => {
      await client.patchDeployment(ref, setImage(IMAGE_BAD), 'strategic');
      kube.advance(1000);
      expect((await look()).status.summary).toBe('2 of 4 updated');
      kube.advance(59_000);
      expect((await look()).status.state).toBe('updating');
      kube.advance(1500);
      const { deployment, status } = await look();
      expect(status).toEqual({ state: 'progress-deadline-exceeded', summary: 'progress deadline exceeded' });
      expect(deployment.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
      });
      expect(deployment.status?.availableReplicas).toBe(3);
    });

    it('returns to an earlier template by reusing its ReplicaSet under a new revision', async () => {
      await client.patchDeployment(ref, setImage(IMAGE_BAD), 'strategic');
      kube.advance(70_000);
      await client.patchDeployment(ref, setImage(IMAGE_V1), 'strategic');
      kube.advance(10_000);
      const { deployment, status } = await look();
      expect(status.state).toBe('complete');
      expect(deployment.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
      const replicaSets = await client.listReplicaSets('prod', 'app=web');
      expect(
        replicaSets.map((rs) => [
          rs.spec.template?.spec.containers[0]?.image,
          rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
          rs.spec.replicas,
        ]),
      ).toEqual([
        [IMAGE_V1, '3', 4],
        [IMAGE_BAD, '2', 0],
      ]);
    });

    it('observes but does not roll out a paused Deployment, until it is resumed', async () => {
      kube.cluster.setPaused('prod', 'web', true);
      await client.patchDeployment(ref, setImage(IMAGE_V2), 'strategic');
      kube.advance(5000);
      const paused = await look();
      expect(paused.deployment.status?.observedGeneration).toBe(paused.deployment.metadata.generation);
      expect(paused.deployment.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
        'DeploymentPaused',
      );
      expect(paused.status).toEqual({ state: 'paused', summary: 'paused at 0 of 4 updated' });
      expect(await client.listReplicaSets('prod', 'app=web')).toHaveLength(1);
      kube.advance(600_000);
      expect((await look()).status.state).toBe('paused');
      kube.cluster.setPaused('prod', 'web', false);
      kube.advance(10_000);
      expect((await look()).status.state).toBe('complete');
    });
  });
});
