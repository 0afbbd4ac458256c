import { delimiter } from 'node:path';
import {
  AppsV1Api,
  type ConfigurationOptions,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import {
  ApiStatusSchema,
  type Deployment,
  DeploymentSchema,
  type JsonObject,
  type JsonPatchOperation,
  type ReplicaSet,
  ReplicaSetListSchema,
} from './kubernetes-objects.js';

/**
 * The Kubernetes API client: `@kubernetes/client-node` 2.x, reduced to the calls a deploy
 * needs (read and patch a Deployment, list its ReplicaSets). Every call has a deadline, and
 * every failure becomes one of three typed errors that say which call failed. Knows nothing
 * of tasks, deploys or Slack.
 */

export type KubernetesAccess =
  /** One or more kubeconfig files (like `KUBECONFIG`, merged in order); the current or given context. */
  | { kind: 'kubeconfig'; paths: string[]; context?: string }
  /** The pod's service account (token and CA under /var/run/secrets/kubernetes.io/serviceaccount). */
  | { kind: 'in-cluster'; pathPrefix?: string }
  /** An API server URL and a bearer token (tests, or a token handed over by a secret store). */
  | { kind: 'token'; server: string; token: string; caData?: string; skipTLSVerify?: boolean };

/**
 * `KUBECONFIG` wins, then the in-cluster service account; neither → null (deploys are then
 * skipped with a reason). Deliberately no fallback to ~/.kube/config or localhost:8080 as
 * client-node's `loadFromDefault` has: a bot must not deploy with whatever a machine happens to hold.
 */
export function kubernetesAccessFromEnv(env: Record<string, string | undefined>): KubernetesAccess | null {
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file.trim() !== '');
  if (files.length > 0) return { kind: 'kubeconfig', paths: files };
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return { kind: 'in-cluster' };
  return null;
}

export function loadKubeConfig(access: KubernetesAccess): KubeConfig {
  const kc = new KubeConfig();
  switch (access.kind) {
    case 'kubeconfig': {
      const [first, ...rest] = access.paths;
      if (!first) throw new Error('no kubeconfig file given');
      kc.loadFromFile(first);
      for (const path of rest) {
        const more = new KubeConfig();
        more.loadFromFile(path);
        kc.mergeConfig(more);
      }
      if (access.context) kc.setCurrentContext(access.context);
      break;
    }
    case 'in-cluster':
      kc.loadFromCluster(access.pathPrefix);
      break;
    case 'token':
      kc.loadFromClusterAndUser(
        {
          name: 'cluster',
          server: access.server.replace(/\/+$/, ''),
          caData: access.caData,
          // client-node refuses a plain-http server unless this is set; there is no TLS to skip there.
          skipTLSVerify: access.skipTLSVerify ?? access.server.startsWith('http:'),
        },
        { name: 'user', token: access.token },
      );
      break;
  }
  if (!kc.getCurrentCluster()) throw new Error('the Kubernetes configuration names no current cluster');
  return kc;
}

export interface KubernetesObjectRef {
  namespace: string;
  name: string;
}

export type PatchKind = 'strategic' | 'merge' | 'json';

export interface CallOptions {
  signal?: AbortSignal;
}

export interface KubernetesClient {
  /** API server URL, for messages and logs. */
  readonly server: string;
  readDeployment(ref: KubernetesObjectRef, options?: CallOptions): Promise<Deployment>;
  patchDeployment(
    ref: KubernetesObjectRef,
    patch: JsonObject | JsonPatchOperation[],
    kind: PatchKind,
    options?: CallOptions,
  ): Promise<Deployment>;
  listReplicaSets(namespace: string, labelSelector: string, options?: CallOptions): Promise<ReplicaSet[]>;
}

export interface KubernetesClientOptions {
  access: KubernetesAccess;
  logger: Logger;
  /** Deadline of each call, from start to parsed body. Default 15 s. */
  timeoutMs?: number;
  /** Recorded in managedFields as the writer of our patches. */
  fieldManager?: string;
}

/** What a call was trying to do: enough to tell a person which permission is missing. */
export interface KubernetesCall {
  verb: 'get' | 'list' | 'patch';
  resource: 'deployments' | 'replicasets';
  group: 'apps';
  namespace: string;
  name: string | null;
  server: string;
}

/** The API server answered with an error status (401, 403, 404, 409, 422, 429, 5xx…). */
export class KubernetesApiError extends Error {
  constructor(
    readonly status: number,
    /** `Status.reason`: Forbidden, NotFound, Conflict, Invalid, … when the server sent one. */
    readonly reason: string | null,
    /** `Status.message`, as the server wrote it. */
    readonly serverMessage: string | null,
    readonly call: KubernetesCall,
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(
      `Kubernetes API ${call.verb} ${call.resource} in ${call.namespace}: ${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`,
      options,
    );
    this.name = 'KubernetesApiError';
  }
}

/** No answer: the deadline passed, the caller cancelled, or the network failed. */
export class KubernetesConnectionError extends Error {
  constructor(
    readonly kind: 'timeout' | 'cancelled' | 'network',
    readonly call: KubernetesCall,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Kubernetes API ${call.verb} ${call.resource} in ${call.namespace}: ${kind} (${detail})`, options);
    this.name = 'KubernetesConnectionError';
  }
}

/** A 2xx answer whose body is not the object we asked for. */
export class KubernetesResponseError extends Error {
  constructor(
    readonly call: KubernetesCall,
    readonly issues: string,
  ) {
    super(`Kubernetes API ${call.verb} ${call.resource} in ${call.namespace}: unexpected answer (${issues})`);
    this.name = 'KubernetesResponseError';
  }
}

const PATCH_CONTENT_TYPES: Record<PatchKind, string> = {
  strategic: PatchStrategy.StrategicMergePatch,
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
};

export function createKubernetesClient(options: KubernetesClientOptions): KubernetesClient {
  const kc = loadKubeConfig(options.access);
  const server = kc.getCurrentCluster()?.server ?? '';
  const apps = kc.makeApiClient(AppsV1Api);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fieldManager = options.fieldManager ?? 'ai-orchestrator';
  const log = options.logger.child({ service: 'kubernetes' });

  async function send<T>(
    call: Omit<KubernetesCall, 'group' | 'server'>,
    callOptions: CallOptions | undefined,
    schema: z.ZodType<T>,
    run: (configuration: ConfigurationOptions) => Promise<unknown>,
    contentType?: string,
  ): Promise<T> {
    const full: KubernetesCall = { ...call, group: 'apps', server };
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = callOptions?.signal ? AbortSignal.any([deadline, callOptions.signal]) : deadline;
    const base: ConfigurationOptions = {
      middleware: [abortMiddleware(signal)],
      middlewareMergeStrategy: 'append',
    };
    const configuration = contentType ? setHeaderOptions('Content-Type', contentType, base) : base;
    const started = performance.now();
    let raw: unknown;
    try {
      // The race settles the call at the deadline even where the signal does not reach
      // (credential plugins, body parsing); the signal releases the socket.
      raw = await untilAborted(run(configuration), signal);
    } catch (err) {
      const error = await translate(err, full, deadline, timeoutMs);
      log.debug(
        { ...call, ms: Math.round(performance.now() - started), error: error.message },
        'kubernetes call failed',
      );
      throw error;
    }
    log.debug({ ...call, ms: Math.round(performance.now() - started) }, 'kubernetes call');
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new KubernetesResponseError(
        full,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    }
    return parsed.data;
  }

  return {
    server,
    readDeployment(ref, callOptions) {
      return send(
        { verb: 'get', resource: 'deployments', namespace: ref.namespace, name: ref.name },
        callOptions,
        DeploymentSchema,
        (configuration) => apps.readNamespacedDeployment(ref, configuration),
      );
    },
    patchDeployment(ref, patch, kind, callOptions) {
      return send(
        { verb: 'patch', resource: 'deployments', namespace: ref.namespace, name: ref.name },
        callOptions,
        DeploymentSchema,
        (configuration) =>
          apps.patchNamespacedDeployment({ ...ref, body: patch, fieldManager }, configuration),
        PATCH_CONTENT_TYPES[kind],
      );
    },
    async listReplicaSets(namespace, labelSelector, callOptions) {
      const list = await send(
        { verb: 'list', resource: 'replicasets', namespace, name: null },
        callOptions,
        ReplicaSetListSchema,
        (configuration) => apps.listNamespacedReplicaSet({ namespace, labelSelector }, configuration),
      );
      return list.items;
    },
  };
}

/** Hands the call's signal to undici's fetch, so an abort also closes the socket. */
function abortMiddleware(signal: AbortSignal): ObservableMiddleware {
  return {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

async function translate(
  err: unknown,
  call: KubernetesCall,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<Error> {
  const status = apiExceptionStatus(err);
  if (status !== null && isRecord(err)) {
    const body = typeof err.body === 'string' ? parseJson(err.body) : err.body;
    const parsed = ApiStatusSchema.safeParse(body);
    const headers = isRecord(err.headers) ? err.headers : {};
    const retryAfterSeconds =
      Number(headers['retry-after'] ?? Number.NaN) ||
      (parsed.success ? parsed.data.details?.retryAfterSeconds : undefined);
    return new KubernetesApiError(
      status,
      parsed.success ? (parsed.data.reason ?? null) : null,
      parsed.success ? (parsed.data.message ?? null) : null,
      call,
      typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : null,
      { cause: err },
    );
  }
  if (deadline.aborted) {
    return new KubernetesConnectionError('timeout', call, `no answer within ${timeoutMs} ms`, { cause: err });
  }
  if (isRecord(err) && (err.name === 'AbortError' || err.code === 'ABORT_ERR')) {
    return new KubernetesConnectionError('cancelled', call, 'cancelled', { cause: err });
  }
  return new KubernetesConnectionError('network', call, networkDetail(err), { cause: err });
}

/** client-node's ApiException (duck-typed: a second copy of the package must not slip through). */
function apiExceptionStatus(err: unknown): number | null {
  if (!isRecord(err) || typeof err.code !== 'number' || !('body' in err) || !('headers' in err)) return null;
  return err.code;
}

/** The most telling code or message down the `cause` chain (fetch nests the socket error). */
function networkDetail(err: unknown): string {
  let current: unknown = err;
  let message = '';
  for (let depth = 0; depth < 5 && isRecord(current); depth++) {
    if (typeof current.code === 'string' && /^(E[A-Z]+|UND_ERR\w*)$/.test(current.code)) return current.code;
    if (!message && typeof current.message === 'string') message = current.message;
    current = current.cause;
  }
  return message.split('\n')[0]?.slice(0, 200) || 'network error';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
