import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import {
  createKubernetesClient,
  KubernetesConnectionError,
  KubernetesResponseError,
  kubernetesAccessFromEnv,
  loadKubeConfig,
} from '../../src/services/kubernetes.js';
import { freePort } from '../support/free-port.js';
import { KUBE_STANDIN_TOKEN, type KubeStandIn, startKubeStandIn } from '../support/kube-standin.js';

const silent = createLogger({ level: 'silent' });
const ref = { namespace: 'prod', name: 'web' };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('kubernetesAccessFromEnv', () => {
  it('prefers KUBECONFIG (every file of the list), then the in-cluster service account, else nothing', () => {
    expect(
      kubernetesAccessFromEnv({
        KUBECONFIG: `/a/config${delimiter}/b/config`,
        KUBERNETES_SERVICE_HOST: '10.0.0.1',
      }),
    ).toEqual({
      kind: 'kubeconfig',
      paths: ['/a/config', '/b/config'],
    });
    expect(
      kubernetesAccessFromEnv({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }),
    ).toEqual({
      kind: 'in-cluster',
    });
    // No silent fallback to ~/.kube/config or localhost:8080.
    expect(kubernetesAccessFromEnv({ HOME: '/root' })).toBeNull();
    expect(kubernetesAccessFromEnv({ KUBECONFIG: '' })).toBeNull();
  });
});

describe('createKubernetesClient', () => {
  let kube: KubeStandIn;
  let dir: string;
  beforeEach(async () => {
    kube = await startKubeStandIn();
    kube.seedDeployment({
      namespace: 'prod',
      name: 'web',
      containers: [{ name: 'web', image: 'acme/web:1' }],
    });
    dir = await mkdtemp(join(tmpdir(), 'kube-client-'));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await kube.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a kubeconfig file and calls the API server it names with its token', async () => {
    const path = join(dir, 'config');
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: standin',
        '  cluster:',
        `    server: ${kube.url}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: deployer',
        '  user:',
        `    token: ${KUBE_STANDIN_TOKEN}`,
        'contexts:',
        '- name: other',
        '  context: { cluster: standin, user: nobody }',
        '- name: deploy',
        '  context: { cluster: standin, user: deployer }',
        'current-context: other',
      ].join('\n'),
    );
    const client = createKubernetesClient({
      access: { kind: 'kubeconfig', paths: [path], context: 'deploy' },
      logger: silent,
    });
    expect(client.server).toBe(kube.url);
    const deployment = await client.readDeployment(ref);
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('acme/web:1');
    expect(kube.requests[0]?.user).toBe('system:serviceaccount:orchestrator:deployer');
  });

  it('builds the in-cluster configuration from the service account files', async () => {
    const prefix = join(dir, 'root');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const kc = loadKubeConfig({ kind: 'in-cluster', pathPrefix: prefix });
    expect(kc.getCurrentCluster()).toMatchObject({
      server: 'https://10.96.0.1:443',
      caFile: `${prefix}/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`,
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: `${prefix}/var/run/secrets/kubernetes.io/serviceaccount/token` },
    });
  });

  it('gives up on a call at its deadline and says which call it was', async () => {
    const client = createKubernetesClient({
      access: { kind: 'token', server: kube.url, token: kube.token },
      logger: silent,
      timeoutMs: 300,
    });
    kube.hangNext({ verb: 'patch' });
    const err = await failure(client.patchDeployment(ref, { metadata: { labels: { a: 'b' } } }, 'strategic'));
    expect(err).toBeInstanceOf(KubernetesConnectionError);
    expect(err).toMatchObject({
      kind: 'timeout',
      call: { verb: 'patch', resource: 'deployments', namespace: 'prod', name: 'web', server: kube.url },
    });
  });

  it('reports a call the caller cancelled as cancelled, not as a timeout', async () => {
    const client = createKubernetesClient({
      access: { kind: 'token', server: kube.url, token: kube.token },
      logger: silent,
    });
    kube.hangNext({ verb: 'get' });
    const controller = new AbortController();
    const pending = failure(client.readDeployment(ref, { signal: controller.signal }));
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'cancelled' });
  });

  it('reports a refused connection as a network error', async () => {
    const client = createKubernetesClient({
      access: { kind: 'token', server: `http://127.0.0.1:${await freePort()}`, token: 'x' },
      logger: silent,
    });
    expect(await failure(client.readDeployment(ref))).toMatchObject({
      kind: 'network',
      detail: 'ECONNREFUSED',
    });
  });

  it('refuses a 200 answer that is not a Deployment', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Deployment', metadata: { name: 'web' }, spec: {} }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = createKubernetesClient({
        access: {
          kind: 'token',
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          token: 'x',
        },
        logger: silent,
      });
      const err = await failure(client.readDeployment(ref));
      expect(err).toBeInstanceOf(KubernetesResponseError);
      expect((err as KubernetesResponseError).issues).toContain('spec.template');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('logs each call without the token', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const client = createKubernetesClient({
      access: { kind: 'token', server: kube.url, token: kube.token },
      logger,
    });
    await client.readDeployment(ref);
    kube.failNext({ verb: 'get' }, 503);
    await failure(client.readDeployment(ref));
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      service: 'kubernetes',
      verb: 'get',
      resource: 'deployments',
    });
    expect(JSON.parse(lines[1] ?? '{}').error).toContain('503');
    expect(lines.join('')).not.toContain(kube.token);
  });
});
