import { randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue } from '../../src/services/kubernetes-objects.js';
import { type ControllerHost, newReplicaSet, reconcile } from './kube-standin-controller.js';
import {
  ApiFailure,
  CHANGE_CAUSE_ANNOTATION,
  deploymentJson,
  namespaceOf,
  notFound,
  replicaSetJson,
  type SimDeployment,
  specOf,
  validate,
} from './kube-standin-model.js';
import { clone, isJsonObject, stableStringify } from './kube-standin-patch.js';

/**
 * The state of a simulated cluster (apps/v1 Deployments and their ReplicaSets) and a simulated
 * Deployment controller running on a clock the test owns. Nothing moves until the test calls
 * `tick()` (one controller pass at the current time) or `advance(ms)` (passes every `stepMs`).
 *
 * The controller follows the real one closely enough for a rollout to be observed exactly as
 * kubectl observes it:
 * - a spec change bumps `metadata.generation`; the next pass sets `status.observedGeneration`;
 * - a new pod template gets a new ReplicaSet (or the old ReplicaSet of that template again, on a
 *   rollback) with the next `deployment.kubernetes.io/revision`;
 * - a rolling update honours maxSurge/maxUnavailable (25 %/25 % by default): new pods are added,
 *   old pods removed as new ones become available `podStartMs` after creation;
 * - a pod whose image matches `isBadImage` never becomes available, so the rollout stalls, and
 *   `progressDeadlineSeconds` after the last progress the `Progressing` condition turns
 *   False/ProgressDeadlineExceeded;
 * - a paused Deployment is observed but not rolled out (Progressing Unknown/DeploymentPaused).
 */

const START = Date.parse('2026-01-05T09:00:00Z');

export interface SeedDeployment {
  namespace?: string;
  name: string;
  containers: Array<{ name: string; image: string }>;
  replicas?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
  changeCause?: string;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
}

export interface ClusterOptions {
  /** Time from a pod's creation to its availability. Default 1000 ms. */
  podStartMs?: number;
  /** Controller pass interval used by `advance`. Default 500 ms. */
  stepMs?: number;
  isBadImage?: (image: string) => boolean;
}

export class SimulatedCluster implements ControllerHost {
  now = START;
  podStartMs: number;
  stepMs: number;
  isBadImage: (image: string) => boolean;
  private version = 1000;
  private readonly deployments = new Map<string, SimDeployment>();

  constructor(options: ClusterOptions = {}) {
    this.podStartMs = options.podStartMs ?? 1000;
    this.stepMs = options.stepMs ?? 500;
    this.isBadImage = options.isBadImage ?? (() => false);
  }

  /** A Deployment that is fully rolled out at revision 1 (all pods available). */
  seedDeployment(seed: SeedDeployment): JsonObject {
    const namespace = seed.namespace ?? 'default';
    const labels = { app: seed.name };
    const object: JsonObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: seed.name,
        namespace,
        uid: randomUUID(),
        generation: 1,
        resourceVersion: this.nextVersion(),
        creationTimestamp: this.iso(),
        labels,
        annotations: seed.changeCause ? { [CHANGE_CAUSE_ANNOTATION]: seed.changeCause } : {},
      },
      spec: {
        replicas: seed.replicas ?? 3,
        progressDeadlineSeconds: seed.progressDeadlineSeconds ?? 600,
        selector: { matchLabels: labels },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: seed.maxSurge ?? '25%', maxUnavailable: seed.maxUnavailable ?? '25%' },
        },
        template: {
          metadata: { labels },
          spec: { containers: seed.containers.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent' })) },
        },
        ...(seed.paused ? { paused: true } : {}),
      },
    };
    const sim: SimDeployment = {
      object,
      status: {},
      observedGeneration: 0,
      replicaSets: [],
      lastProgressAt: this.now,
      conditions: { Available: undefined, Progressing: undefined },
    };
    this.deployments.set(`${namespace}/${seed.name}`, sim);
    const spec = specOf(object);
    const rs = newReplicaSet(this, sim);
    rs.pods = Array.from({ length: spec.replicas ?? 1 }, () => ({ availableAt: this.now }));
    const paused = spec.paused;
    if (paused) (object.spec as JsonObject).paused = false;
    reconcile(this, sim);
    if (paused) {
      (object.spec as JsonObject).paused = true;
      reconcile(this, sim);
    }
    return deploymentJson(sim);
  }

  deployment(namespace: string, name: string): JsonObject | undefined {
    const sim = this.deployments.get(`${namespace}/${name}`);
    return sim ? deploymentJson(sim) : undefined;
  }

  listDeployments(namespace: string): JsonObject[] {
    return [...this.deployments.values()]
      .filter((sim) => namespaceOf(sim.object) === namespace)
      .map((sim) => deploymentJson(sim));
  }

  /** ReplicaSets of a namespace whose labels match every `key=value` of the selector. */
  listReplicaSets(namespace: string, selector: Record<string, string> = {}): JsonObject[] {
    const result: JsonObject[] = [];
    for (const sim of this.deployments.values()) {
      if (namespaceOf(sim.object) !== namespace) continue;
      for (const rs of sim.replicaSets) {
        const json = replicaSetJson(sim, rs, this.now);
        const labels = ((json.metadata as JsonObject).labels ?? {}) as Record<string, string>;
        if (Object.entries(selector).every(([key, value]) => labels[key] === value)) result.push(json);
      }
    }
    return result;
  }

  replicaSet(namespace: string, name: string): JsonObject | undefined {
    return this.listReplicaSets(namespace).find((rs) => (rs.metadata as JsonObject).name === name);
  }

  /**
   * Writes a changed Deployment as the API server does on PATCH: refuses a stale
   * `metadata.resourceVersion` (409), validates (422), keeps status, bumps `generation` when
   * the spec changed and `resourceVersion` when anything changed.
   */
  update(namespace: string, name: string, change: (current: JsonObject) => JsonValue): JsonObject {
    const sim = this.deployments.get(`${namespace}/${name}`);
    if (!sim) throw notFound('deployments', name);
    const current = deploymentJson(sim);
    const next = change(clone(current));
    if (!isJsonObject(next) || !isJsonObject(next.metadata) || !isJsonObject(next.spec)) {
      throw new ApiFailure(
        422,
        'Invalid',
        `Deployment.apps "${name}" is invalid: metadata and spec are required`,
      );
    }
    const currentMeta = current.metadata as JsonObject;
    if (
      next.metadata.resourceVersion !== undefined &&
      next.metadata.resourceVersion !== currentMeta.resourceVersion
    ) {
      throw new ApiFailure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: 'apps', kind: 'deployments' },
      );
    }
    validate(name, next.spec);
    const metadata: JsonObject = {
      ...next.metadata,
      // Identity and bookkeeping are the server's, whatever the patch said.
      name,
      namespace,
      uid: currentMeta.uid ?? null,
      creationTimestamp: currentMeta.creationTimestamp ?? null,
      generation: currentMeta.generation ?? 1,
      resourceVersion: currentMeta.resourceVersion ?? null,
    };
    const stored: JsonObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: next.spec };
    const before = sim.object;
    if (stableStringify(before.spec) !== stableStringify(stored.spec)) {
      metadata.generation = Number(currentMeta.generation ?? 1) + 1;
    }
    if (stableStringify(before) !== stableStringify(stored)) {
      metadata.resourceVersion = this.nextVersion();
      sim.object = stored;
    }
    return deploymentJson(sim);
  }

  /** `kubectl rollout pause` / `resume`. */
  setPaused(namespace: string, name: string, paused: boolean): void {
    this.update(namespace, name, (d) => ({ ...d, spec: { ...(d.spec as JsonObject), paused } }));
  }

  /** Another writer changes the object (an annotation): its resourceVersion moves on. */
  touch(namespace: string, name: string): void {
    this.update(namespace, name, (d) => {
      const metadata = d.metadata as JsonObject;
      const annotations = (metadata.annotations ?? {}) as JsonObject;
      return {
        ...d,
        metadata: {
          ...metadata,
          annotations: { ...annotations, 'example.com/touched': String(this.version) },
        },
      };
    });
  }

  /** One pass of the Deployment controller over every Deployment, at the current time. */
  tick(): void {
    for (const sim of this.deployments.values()) reconcile(this, sim);
  }

  /** Moves the clock forward by `ms`, running the controller every `stepMs` on the way. */
  advance(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + this.stepMs);
      this.tick();
    }
  }

  nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }

  private iso(): string {
    return new Date(this.now).toISOString();
  }
}
