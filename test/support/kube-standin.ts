import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../src/sandbox/read-body.js';
import type { JsonObject, JsonPatchOperation, JsonValue } from '../../src/services/kubernetes-objects.js';
import { type ClusterOptions, type SeedDeployment, SimulatedCluster } from './kube-standin-cluster.js';
import { ApiFailure, notFound } from './kube-standin-model.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  PatchError,
} from './kube-standin-patch.js';
import { type Answer, failure, faultAnswer, found, list, ok, trickle } from './kube-standin-responses.js';

/**
 * A Kubernetes API server stand-in on 127.0.0.1 and a free port, for the real
 * `@kubernetes/client-node` (point it at `url` with `token`). It serves the slice of apps/v1 a
 * deploy uses, with the API server's paths, `Status` errors and patch semantics, over a
 * simulated cluster whose Deployment controller runs on the test's clock (`cluster`,
 * `tick()`, `advance(ms)`; see kube-standin-cluster.ts):
 *
 *   GET   /apis/apps/v1/namespaces/:ns/deployments             list
 *   GET   /apis/apps/v1/namespaces/:ns/deployments/:name        get
 *   PATCH /apis/apps/v1/namespaces/:ns/deployments/:name        strategic merge, merge or JSON patch
 *                                                               (by Content-Type; else 415)
 *   GET   /apis/apps/v1/namespaces/:ns/replicasets?labelSelector=k=v,…   list
 *   GET   /apis/apps/v1/namespaces/:ns/replicasets/:name        get
 *
 * Failing like the real one: 401 for a missing or unknown bearer token; 403 per verb, resource
 * and namespace when `rbac` rules are set (with the API server's "User … cannot patch resource
 * …" message); 404 for an unknown object; 409 when a patch carries a stale
 * `metadata.resourceVersion`; 422 for an invalid result or a failed JSON-patch `test`; and, on
 * demand, any status (`failNext`: 500, 503, 429 with Retry-After…), a request never answered
 * (`hangNext`), or a body trickled out slowly (`trickleNext`). Every request is recorded in
 * `requests`; `onServed` runs after each answer (e.g. to let "someone else" write in between).
 */

export type KubeVerb = 'get' | 'list' | 'patch';
export type KubeResource = 'deployments' | 'replicasets';

export interface RbacRule {
  verbs: KubeVerb[];
  resources: KubeResource[];
  /** Absent: every namespace (a ClusterRole binding). */
  namespaces?: string[];
}

export interface KubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  verb: KubeVerb | null;
  resource: KubeResource | null;
  namespace: string | null;
  name: string | null;
  contentType: string | null;
  body: unknown;
  user: string | null;
  /** 0 while unanswered (hanging). */
  status: number;
}

export interface FaultMatch {
  verb?: KubeVerb;
  resource?: KubeResource;
}

export interface KubeStandInOptions extends ClusterOptions {
  /** bearer token → user name. Default: KUBE_STANDIN_TOKEN → the deployer service account. */
  tokens?: Record<string, string>;
  /** Allowed requests; null (default) allows everything. */
  rbac?: RbacRule[] | null;
}

export interface KubeStandIn {
  url: string;
  token: string;
  /** Name the API server gives the default token's user in RBAC messages. */
  user: string;
  cluster: SimulatedCluster;
  requests: KubeRequest[];
  rbac: RbacRule[] | null;
  delayMs: number;
  onServed: ((request: KubeRequest) => void) | null;
  seedDeployment(seed: SeedDeployment): JsonObject;
  tick(): void;
  advance(ms: number): void;
  now(): number;
  failNext(match: FaultMatch, status: number, options?: { times?: number; retryAfterSeconds?: number }): void;
  hangNext(match: FaultMatch, times?: number): void;
  trickleNext(
    match: FaultMatch,
    options?: { times?: number; intervalMs?: number; chunkBytes?: number },
  ): void;
  /** PATCH requests that reached a Deployment, in order. */
  patches(): KubeRequest[];
  close(): Promise<void>;
}

export const KUBE_STANDIN_TOKEN = 'kube-standin-token-000000000000';
export const KUBE_STANDIN_USER = 'system:serviceaccount:orchestrator:deployer';

const PATCH_TYPES = {
  'application/strategic-merge-patch+json': 'strategic',
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
} as const;

type Fault =
  | { kind: 'status'; match: FaultMatch; remaining: number; status: number; retryAfterSeconds?: number }
  | { kind: 'hang'; match: FaultMatch; remaining: number }
  | { kind: 'trickle'; match: FaultMatch; remaining: number; intervalMs: number; chunkBytes: number };

const ROUTE = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|replicasets)(?:\/([^/]+))?$/;

export async function startKubeStandIn(options: KubeStandInOptions = {}): Promise<KubeStandIn> {
  const tokens = options.tokens ?? { [KUBE_STANDIN_TOKEN]: KUBE_STANDIN_USER };
  const cluster = new SimulatedCluster(options);
  const faults: Fault[] = [];
  const requests: KubeRequest[] = [];

  const takeFault = (request: KubeRequest): Fault | undefined => {
    const fault = faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.match.verb || f.match.verb === request.verb) &&
        (!f.match.resource || f.match.resource === request.resource),
    );
    if (fault) fault.remaining--;
    return fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const match = ROUTE.exec(url.pathname);
    const method = req.method ?? 'GET';
    const resource = (match?.[2] as KubeResource | undefined) ?? null;
    const name = match?.[3] ? decodeURIComponent(match[3]) : null;
    const verb: KubeVerb | null = !match
      ? null
      : method === 'GET'
        ? name
          ? 'get'
          : 'list'
        : method === 'PATCH' && name
          ? 'patch'
          : null;
    const text = await readBody(req, 3 * 1024 * 1024);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() || null;
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const request: KubeRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      verb,
      resource,
      namespace: match?.[1] ? decodeURIComponent(match[1]) : null,
      name,
      contentType,
      body: text ? parseJson(text) : undefined,
      user: auth?.[1] ? (tokens[auth[1]] ?? null) : null,
      status: 0,
    };
    requests.push(request);

    const fault = takeFault(request);
    if (fault?.kind === 'hang') return; // never answered; close() ends the socket
    let answer: Answer;
    if (fault?.kind === 'status') answer = faultAnswer(fault.status, fault.retryAfterSeconds);
    else {
      try {
        answer = serve(request, text);
      } catch (err) {
        answer =
          err instanceof ApiFailure
            ? failure(err)
            : failure(new ApiFailure(500, 'InternalError', String(err)));
      }
    }
    if (standIn.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, standIn.delayMs));
    request.status = answer.status;
    const payload = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    if (fault?.kind === 'trickle') await trickle(res, payload, fault.intervalMs, fault.chunkBytes);
    else res.end(payload);
    standIn.onServed?.(request);
  };

  const serve = (request: KubeRequest, text: string): Answer => {
    if (!request.user) {
      return failure(new ApiFailure(401, 'Unauthorized', 'Unauthorized'));
    }
    if (!request.verb || !request.resource || !request.namespace) {
      if (request.resource)
        return failure(
          new ApiFailure(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          ),
        );
      return failure(new ApiFailure(404, 'NotFound', 'the server could not find the requested resource'));
    }
    if (!allowed(standIn.rbac, request.verb, request.resource, request.namespace)) {
      const target = request.name ? `${request.resource}.apps "${request.name}"` : `${request.resource}.apps`;
      throw new ApiFailure(
        403,
        'Forbidden',
        `${target} is forbidden: User "${request.user}" cannot ${request.verb} resource "${request.resource}" in API group "apps" in the namespace "${request.namespace}"`,
        { ...(request.name ? { name: request.name } : {}), group: 'apps', kind: request.resource },
      );
    }
    const { namespace, name } = request;
    if (request.resource === 'deployments') {
      if (request.verb === 'list') return ok(list('DeploymentList', cluster.listDeployments(namespace)));
      if (!name) throw notFound('deployments', '');
      if (request.verb === 'get') return ok(found(cluster.deployment(namespace, name), 'deployments', name));
      return ok(patch(namespace, name, request.contentType, text));
    }
    if (request.verb === 'list') {
      return ok(
        list(
          'ReplicaSetList',
          cluster.listReplicaSets(namespace, parseSelector(request.query.labelSelector)),
        ),
      );
    }
    if (request.verb === 'get' && name)
      return ok(found(cluster.replicaSet(namespace, name), 'replicasets', name));
    throw new ApiFailure(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  };

  const patch = (namespace: string, name: string, contentType: string | null, text: string): JsonObject => {
    const kind = contentType ? PATCH_TYPES[contentType as keyof typeof PATCH_TYPES] : undefined;
    if (!kind) {
      throw new ApiFailure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`,
      );
    }
    const body = parseJson(text);
    if (body === undefined) throw new ApiFailure(400, 'BadRequest', 'the request body is not valid JSON');
    try {
      return cluster.update(namespace, name, (current) => {
        if (kind === 'json') {
          if (!Array.isArray(body)) throw new PatchError('a JSON patch must be an array of operations', 400);
          return applyJsonPatch(current, body as unknown as JsonPatchOperation[]);
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new PatchError('a merge patch must be a JSON object', 400);
        }
        return kind === 'strategic'
          ? applyStrategicMergePatch(current, body)
          : applyMergePatch(current, body);
      });
    } catch (err) {
      if (err instanceof PatchError) {
        throw new ApiFailure(err.status, err.status === 422 ? 'Invalid' : 'BadRequest', err.message);
      }
      throw err;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(failure(new ApiFailure(500, 'InternalError', String(err))).body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const standIn: KubeStandIn = {
    url: `http://127.0.0.1:${port}`,
    token: Object.keys(tokens)[0] ?? '',
    user: Object.values(tokens)[0] ?? '',
    cluster,
    requests,
    rbac: options.rbac ?? null,
    delayMs: 0,
    onServed: null,
    seedDeployment: (seed) => cluster.seedDeployment(seed),
    tick: () => cluster.tick(),
    advance: (ms) => cluster.advance(ms),
    now: () => cluster.now,
    failNext(match, status, faultOptions = {}) {
      faults.push({
        kind: 'status',
        match,
        remaining: faultOptions.times ?? 1,
        status,
        retryAfterSeconds: faultOptions.retryAfterSeconds,
      });
    },
    hangNext(match, times = 1) {
      faults.push({ kind: 'hang', match, remaining: times });
    },
    trickleNext(match, trickleOptions = {}) {
      faults.push({
        kind: 'trickle',
        match,
        remaining: trickleOptions.times ?? 1,
        intervalMs: trickleOptions.intervalMs ?? 100,
        chunkBytes: trickleOptions.chunkBytes ?? 8,
      });
    },
    patches: () => requests.filter((r) => r.verb === 'patch' && r.resource === 'deployments'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging and keep-alive sockets would hold close() open.
        server.closeAllConnections();
      }),
  };
  return standIn;
}

function allowed(
  rules: RbacRule[] | null,
  verb: KubeVerb,
  resource: KubeResource,
  namespace: string,
): boolean {
  if (rules === null) return true;
  return rules.some(
    (rule) =>
      rule.verbs.includes(verb) &&
      rule.resources.includes(resource) &&
      (!rule.namespaces || rule.namespaces.includes(namespace)),
  );
}

/** Equality selectors only (`app=web,tier=front`); anything else is refused as the server would not understand it here. */
function parseSelector(selector: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!selector) return result;
  for (const part of selector.split(',')) {
    const match = /^\s*([\w./-]+)\s*==?\s*([\w.-]*)\s*$/.exec(part);
    if (!match?.[1]) throw new ApiFailure(400, 'BadRequest', `unable to parse requirement: ${part}`);
    result[match[1]] = match[2] ?? '';
  }
  return result;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
