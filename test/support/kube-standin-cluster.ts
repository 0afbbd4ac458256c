import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { JsonObject, JsonValue } from '../../src/services/kubernetes-objects.js';
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

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const START = Date.parse('2026-01-05T09:00:00Z');

/** A refusal the API server would answer with a `Status` object. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details: JsonObject = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const Labels = z.record(z.string(), z.string());
const IntOrPercent = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+%$/)]);
/** What the API server's validation would insist on, for the fields the controller reads. */
const DeploymentSpecSchema = z.object({
  replicas: z.number().int().nonnegative().optional(),
  paused: z.boolean().optional(),
  progressDeadlineSeconds: z.number().int().positive().optional(),
  selector: z.object({ matchLabels: Labels }),
  strategy: z
    .object({
      type: z.literal('RollingUpdate').optional(),
      rollingUpdate: z
        .object({ maxSurge: IntOrPercent.optional(), maxUnavailable: IntOrPercent.optional() })
        .optional(),
    })
    .optional(),
  template: z.object({
    metadata: z.object({ labels: Labels }),
    spec: z.object({
      containers: z.array(z.object({ name: z.string().min(1), image: z.string().min(1) })).min(1),
    }),
  }),
});
type DeploymentSpec = z.infer<typeof DeploymentSpecSchema>;

interface Pod {
  availableAt: number;
}

interface SimReplicaSet {
  name: string;
  uid: string;
  hash: string;
  template: JsonObject;
  revision: number;
  pods: Pod[];
  annotations: Record<string, string>;
  resourceVersion: string;
  createdAt: string;
  lastJson: string;
}

interface SimDeployment {
  /** apiVersion, kind, metadata and spec, as stored; status lives apart (a subresource). */
  object: JsonObject;
  status: JsonObject;
  observedGeneration: number;
  replicaSets: SimReplicaSet[];
  lastProgressAt: number;
  conditions: Record<'Available' | 'Progressing', JsonObject | undefined>;
}

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

export class SimulatedCluster {
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
    const rs = this.newReplicaSet(sim);
    rs.pods = Array.from({ length: spec.replicas ?? 1 }, () => ({ availableAt: this.now }));
    const paused = spec.paused;
    if (paused) (object.spec as JsonObject).paused = false;
    this.reconcile(sim);
    if (paused) {
      (object.spec as JsonObject).paused = true;
      this.reconcile(sim);
    }
    return this.deploymentJson(sim);
  }

  deployment(namespace: string, name: string): JsonObject | undefined {
    const sim = this.deployments.get(`${namespace}/${name}`);
    return sim ? this.deploymentJson(sim) : undefined;
  }

  listDeployments(namespace: string): JsonObject[] {
    return [...this.deployments.values()]
      .filter((sim) => namespaceOf(sim.object) === namespace)
      .map((sim) => this.deploymentJson(sim));
  }

  /** ReplicaSets of a namespace whose labels match every `key=value` of the selector. */
  listReplicaSets(namespace: string, selector: Record<string, string> = {}): JsonObject[] {
    const result: JsonObject[] = [];
    for (const sim of this.deployments.values()) {
      if (namespaceOf(sim.object) !== namespace) continue;
      for (const rs of sim.replicaSets) {
        const json = this.replicaSetJson(sim, rs);
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
    const current = this.deploymentJson(sim);
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
    return this.deploymentJson(sim);
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
    for (const sim of this.deployments.values()) this.reconcile(sim);
  }

  /** Moves the clock forward by `ms`, running the controller every `stepMs` on the way. */
  advance(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + this.stepMs);
      this.tick();
    }
  }

  private reconcile(sim: SimDeployment): void {
    const before = stableStringify(this.deploymentJson(sim));
    const spec = specOf(sim.object);
    const metadata = sim.object.metadata as JsonObject;
    sim.observedGeneration = Number(metadata.generation ?? 1);
    const desired = spec.replicas ?? 1;
    let progressed = false;
    let newReason = 'ReplicaSetUpdated';
    // Paused: the ReplicaSet of the current template counts as updated, but none is created.
    let newRS = sim.replicaSets.find((rs) => rs.hash === templateHash(templateOf(sim.object)));
    if (!spec.paused) {
      const maxRevision = Math.max(0, ...sim.replicaSets.map((rs) => rs.revision));
      if (!newRS) {
        newRS = this.newReplicaSet(sim);
        progressed = true;
        newReason = 'NewReplicaSetCreated';
      } else if (newRS.revision < maxRevision) {
        newRS.revision = maxRevision + 1;
        progressed = true;
        newReason = 'FoundNewReplicaSet';
      }
      const cause = annotationsOf(sim.object)[CHANGE_CAUSE_ANNOTATION];
      if (cause !== undefined) newRS.annotations[CHANGE_CAUSE_ANNOTATION] = cause;
      annotationsOf(sim.object)[REVISION_ANNOTATION] = String(newRS.revision);
      progressed = this.rollingStep(sim, newRS, spec, desired) || progressed;
    }
    const pods = sim.replicaSets.flatMap((rs) => rs.pods);
    const available = pods.filter((pod) => pod.availableAt <= this.now).length;
    const previousAvailable = Number(sim.status.availableReplicas ?? 0);
    if (available > previousAvailable) progressed = true;
    const updated = newRS?.pods.length ?? 0;
    const { unavailable } = fenceposts(spec, desired);
    this.setCondition(
      sim,
      'Available',
      available >= desired - unavailable ? 'True' : 'False',
      available >= desired - unavailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      available >= desired - unavailable
        ? 'Deployment has minimum availability.'
        : 'Deployment does not have minimum availability.',
    );
    const complete = updated === desired && pods.length === updated && available === updated;
    const rsName = newRS?.name ?? '';
    if (spec.paused) {
      sim.lastProgressAt = this.now;
      this.setCondition(sim, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused');
    } else if (complete) {
      this.setCondition(
        sim,
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
      );
    } else if (progressed) {
      sim.lastProgressAt = this.now;
      this.setCondition(
        sim,
        'Progressing',
        'True',
        newReason,
        `ReplicaSet "${rsName}" is progressing.`,
        true,
      );
    } else if (this.now - sim.lastProgressAt > (spec.progressDeadlineSeconds ?? 600) * 1000) {
      this.setCondition(
        sim,
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rsName}" has timed out progressing.`,
      );
    }
    sim.status = {
      observedGeneration: sim.observedGeneration,
      replicas: pods.length,
      updatedReplicas: updated,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
      conditions: [sim.conditions.Available, sim.conditions.Progressing].filter(
        (c): c is JsonObject => c !== undefined,
      ),
    };
    for (const key of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
    ]) {
      // The API server omits zero counts; readers must default them.
      if (sim.status[key] === 0) delete sim.status[key];
    }
    if (stableStringify(this.deploymentJson(sim)) !== before) {
      (sim.object.metadata as JsonObject).resourceVersion = this.nextVersion();
    }
    for (const rs of sim.replicaSets) {
      const json = stableStringify(this.replicaSetJson(sim, rs));
      if (json !== rs.lastJson) {
        rs.resourceVersion = this.nextVersion();
        rs.lastJson = stableStringify(this.replicaSetJson(sim, rs));
      }
    }
  }

  /** One rolling-update step: scale the new ReplicaSet up within maxSurge, old ones down within maxUnavailable. */
  private rollingStep(
    sim: SimDeployment,
    newRS: SimReplicaSet,
    spec: DeploymentSpec,
    desired: number,
  ): boolean {
    const { surge, unavailable } = fenceposts(spec, desired);
    const old = sim.replicaSets.filter((rs) => rs !== newRS).sort((a, b) => a.revision - b.revision);
    const isAvailable = (pod: Pod) => pod.availableAt <= this.now;
    const total = () => sim.replicaSets.reduce((sum, rs) => sum + rs.pods.length, 0);
    let changed = false;

    if (newRS.pods.length < desired) {
      const add = Math.min(desired + surge - total(), desired - newRS.pods.length);
      const bad = templateImages(newRS.template).some((image) => this.isBadImage(image));
      for (let i = 0; i < add; i++) {
        newRS.pods.push({ availableAt: bad ? Number.POSITIVE_INFINITY : this.now + this.podStartMs });
        changed = true;
      }
    } else if (newRS.pods.length > desired) {
      newRS.pods.splice(desired);
      changed = true;
    }

    const minAvailable = desired - unavailable;
    // Unhealthy old pods go first: they hold no availability.
    let scaleDown = total() - minAvailable - newRS.pods.filter((pod) => !isAvailable(pod)).length;
    for (const rs of old) {
      for (let i = rs.pods.length - 1; i >= 0 && scaleDown > 0; i--) {
        if (!isAvailable(rs.pods[i] as Pod)) {
          rs.pods.splice(i, 1);
          scaleDown--;
          changed = true;
        }
      }
    }
    let removable = sim.replicaSets.flatMap((rs) => rs.pods).filter(isAvailable).length - minAvailable;
    for (const rs of old) {
      while (removable > 0 && rs.pods.length > 0) {
        rs.pods.pop();
        removable--;
        changed = true;
      }
    }
    return changed;
  }

  private newReplicaSet(sim: SimDeployment): SimReplicaSet {
    const template = clone(templateOf(sim.object));
    const hash = templateHash(template);
    const rs: SimReplicaSet = {
      name: `${nameOf(sim.object)}-${hash}`,
      uid: randomUUID(),
      hash,
      template,
      revision: Math.max(0, ...sim.replicaSets.map((r) => r.revision)) + 1,
      pods: [],
      annotations: {},
      resourceVersion: this.nextVersion(),
      createdAt: this.iso(),
      lastJson: '',
    };
    sim.replicaSets.push(rs);
    return rs;
  }

  private setCondition(
    sim: SimDeployment,
    type: 'Available' | 'Progressing',
    status: string,
    reason: string,
    message: string,
    touch = false,
  ): void {
    const current = sim.conditions[type];
    const same = current?.status === status && current?.reason === reason && current?.message === message;
    if (same && !touch) return;
    sim.conditions[type] = {
      type,
      status,
      reason,
      message,
      lastUpdateTime: this.iso(),
      lastTransitionTime:
        current?.status === status ? (current.lastTransitionTime ?? this.iso()) : this.iso(),
    };
  }

  private deploymentJson(sim: SimDeployment): JsonObject {
    return { ...clone(sim.object), status: clone(sim.status) };
  }

  private replicaSetJson(sim: SimDeployment, rs: SimReplicaSet): JsonObject {
    const available = rs.pods.filter((pod) => pod.availableAt <= this.now).length;
    const labels = { ...labelsOf(rs.template), 'pod-template-hash': rs.hash };
    const status: JsonObject = {
      replicas: rs.pods.length,
      readyReplicas: available,
      availableReplicas: available,
    };
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rs.name,
        namespace: namespaceOf(sim.object),
        uid: rs.uid,
        resourceVersion: rs.resourceVersion,
        creationTimestamp: rs.createdAt,
        labels,
        annotations: { ...rs.annotations, [REVISION_ANNOTATION]: String(rs.revision) },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: nameOf(sim.object),
            uid: String((sim.object.metadata as JsonObject).uid),
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: rs.pods.length,
        selector: { matchLabels: labels },
        template: { ...rs.template, metadata: { labels } },
      },
      status,
    };
  }

  private nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }

  private iso(): string {
    return new Date(this.now).toISOString();
  }
}

export function notFound(resource: 'deployments' | 'replicasets', name: string): ApiFailure {
  return new ApiFailure(404, 'NotFound', `${resource}.apps "${name}" not found`, {
    name,
    group: 'apps',
    kind: resource,
  });
}

function validate(name: string, spec: JsonObject): void {
  const parsed = DeploymentSpecSchema.safeParse(spec);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`);
  if (parsed.success) {
    const names = parsed.data.template.spec.containers.map((c) => c.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) problems.push(`spec.template.spec.containers: Duplicate value: "${duplicate}"`);
    const labels = parsed.data.template.metadata.labels;
    const selector = parsed.data.selector.matchLabels;
    if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) {
      problems.push(
        'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`',
      );
    }
  }
  if (problems.length > 0) {
    throw new ApiFailure(422, 'Invalid', `Deployment.apps "${name}" is invalid: ${problems.join(', ')}`, {
      name,
      group: 'apps',
      kind: 'Deployment',
    });
  }
}

function specOf(object: JsonObject): DeploymentSpec {
  return DeploymentSpecSchema.parse(object.spec);
}

/** maxSurge rounds up, maxUnavailable down; both zero would deadlock, so unavailable becomes 1. */
function fenceposts(spec: DeploymentSpec, desired: number): { surge: number; unavailable: number } {
  const resolve = (value: number | string | undefined, round: (n: number) => number) =>
    typeof value === 'number' ? value : round((Number.parseInt(value ?? '25', 10) / 100) * desired);
  const surge = resolve(spec.strategy?.rollingUpdate?.maxSurge, Math.ceil);
  const unavailable = resolve(spec.strategy?.rollingUpdate?.maxUnavailable, Math.floor);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

function templateHash(template: JsonObject): string {
  return createHash('sha256').update(stableStringify(template)).digest('hex').slice(0, 10);
}

/** The pod template as stored, unknown fields included (the hash must cover them all). */
function templateOf(object: JsonObject): JsonObject {
  return (object.spec as JsonObject).template as JsonObject;
}

function templateImages(template: JsonObject): string[] {
  const spec = template.spec as JsonObject;
  return (spec.containers as JsonObject[]).map((c) => String(c.image));
}

function labelsOf(template: JsonObject): Record<string, string> {
  const metadata = (template.metadata ?? {}) as JsonObject;
  return (metadata.labels ?? {}) as Record<string, string>;
}

function nameOf(object: JsonObject): string {
  return String((object.metadata as JsonObject).name);
}

function namespaceOf(object: JsonObject): string {
  return String((object.metadata as JsonObject).namespace);
}

function annotationsOf(object: JsonObject): Record<string, string> {
  const metadata = object.metadata as JsonObject;
  if (!isJsonObject(metadata.annotations)) metadata.annotations = {};
  return metadata.annotations as Record<string, string>;
}
