import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { JsonObject } from '../../src/services/kubernetes-objects.js';
import { clone, isJsonObject, stableStringify } from './kube-standin-patch.js';

/**
 * The simulated cluster's objects: how a Deployment and its ReplicaSets are held, validated
 * and shown as API JSON. Shared by the cluster (kube-standin-cluster.ts) and its controller
 * (kube-standin-controller.ts).
 */

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
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
export type DeploymentSpec = z.infer<typeof DeploymentSpecSchema>;

export interface Pod {
  availableAt: number;
}

export interface SimReplicaSet {
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

export interface SimDeployment {
  /** apiVersion, kind, metadata and spec, as stored; status lives apart (a subresource). */
  object: JsonObject;
  status: JsonObject;
  observedGeneration: number;
  replicaSets: SimReplicaSet[];
  lastProgressAt: number;
  conditions: Record<'Available' | 'Progressing', JsonObject | undefined>;
}

export function notFound(resource: 'deployments' | 'replicasets', name: string): ApiFailure {
  return new ApiFailure(404, 'NotFound', `${resource}.apps "${name}" not found`, {
    name,
    group: 'apps',
    kind: resource,
  });
}

export function validate(name: string, spec: JsonObject): void {
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

export function specOf(object: JsonObject): DeploymentSpec {
  return DeploymentSpecSchema.parse(object.spec);
}

/** maxSurge rounds up, maxUnavailable down; both zero would deadlock, so unavailable becomes 1. */
export function fenceposts(spec: DeploymentSpec, desired: number): { surge: number; unavailable: number } {
  const resolve = (value: number | string | undefined, round: (n: number) => number) =>
    typeof value === 'number' ? value : round((Number.parseInt(value ?? '25', 10) / 100) * desired);
  const surge = resolve(spec.strategy?.rollingUpdate?.maxSurge, Math.ceil);
  const unavailable = resolve(spec.strategy?.rollingUpdate?.maxUnavailable, Math.floor);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

export function templateHash(template: JsonObject): string {
  return createHash('sha256').update(stableStringify(template)).digest('hex').slice(0, 10);
}

/** The pod template as stored, unknown fields included (the hash must cover them all). */
export function templateOf(object: JsonObject): JsonObject {
  return (object.spec as JsonObject).template as JsonObject;
}

export function templateImages(template: JsonObject): string[] {
  const spec = template.spec as JsonObject;
  return (spec.containers as JsonObject[]).map((c) => String(c.image));
}

export function labelsOf(template: JsonObject): Record<string, string> {
  const metadata = (template.metadata ?? {}) as JsonObject;
  return (metadata.labels ?? {}) as Record<string, string>;
}

export function nameOf(object: JsonObject): string {
  return String((object.metadata as JsonObject).name);
}

export function namespaceOf(object: JsonObject): string {
  return String((object.metadata as JsonObject).namespace);
}

export function annotationsOf(object: JsonObject): Record<string, string> {
  const metadata = object.metadata as JsonObject;
  if (!isJsonObject(metadata.annotations)) metadata.annotations = {};
  return metadata.annotations as Record<string, string>;
}

export function deploymentJson(sim: SimDeployment): JsonObject {
  return { ...clone(sim.object), status: clone(sim.status) };
}

export function replicaSetJson(sim: SimDeployment, rs: SimReplicaSet, now: number): JsonObject {
  const available = rs.pods.filter((pod) => pod.availableAt <= now).length;
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
