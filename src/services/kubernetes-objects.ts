import { z } from 'zod';

/**
 * The parts of Kubernetes objects the bot relies on, validated: the API server is outside the
 * bot, and a proxy, an old server or a stand-in may answer with something else. Fields the
 * server omits when they are zero or unset (`updatedReplicas`, `paused`, …) stay optional here;
 * readers default them.
 */

const Labels = z.record(z.string(), z.string());

const ObjectMetaSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().nonnegative().optional(),
  resourceVersion: z.string().optional(),
  labels: Labels.optional(),
  annotations: Labels.optional(),
  ownerReferences: z
    .array(
      z.object({ kind: z.string(), name: z.string(), uid: z.string(), controller: z.boolean().optional() }),
    )
    .optional(),
});

const ContainerSchema = z.object({ name: z.string().min(1), image: z.string().optional() });

const PodTemplateSchema = z.object({
  metadata: z.object({ labels: Labels.optional() }).optional(),
  spec: z.object({ containers: z.array(ContainerSchema) }),
});

const ConditionSchema = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export const DeploymentSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z.object({
    replicas: z.number().int().nonnegative().optional(),
    paused: z.boolean().optional(),
    progressDeadlineSeconds: z.number().int().positive().optional(),
    selector: z.object({ matchLabels: Labels.optional() }).optional(),
    template: PodTemplateSchema,
  }),
  status: z
    .object({
      observedGeneration: z.number().int().nonnegative().optional(),
      replicas: z.number().int().nonnegative().optional(),
      updatedReplicas: z.number().int().nonnegative().optional(),
      readyReplicas: z.number().int().nonnegative().optional(),
      availableReplicas: z.number().int().nonnegative().optional(),
      unavailableReplicas: z.number().int().nonnegative().optional(),
      conditions: z.array(ConditionSchema).optional(),
    })
    .optional(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const ReplicaSetSchema = z.object({
  metadata: ObjectMetaSchema,
  spec: z.object({
    replicas: z.number().int().nonnegative().optional(),
    template: PodTemplateSchema.optional(),
  }),
  status: z
    .object({
      replicas: z.number().int().nonnegative().optional(),
      readyReplicas: z.number().int().nonnegative().optional(),
      availableReplicas: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type ReplicaSet = z.infer<typeof ReplicaSetSchema>;

export const ReplicaSetListSchema = z.object({ items: z.array(ReplicaSetSchema) });

/** The `Status` object the API server answers errors with (`kind: Status`). */
export const ApiStatusSchema = z.object({
  kind: z.literal('Status'),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().int().optional(),
  details: z
    .object({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
      retryAfterSeconds: z.number().optional(),
    })
    .optional(),
});
export type ApiStatus = z.infer<typeof ApiStatusSchema>;

/** A merge patch or strategic merge patch body: a JSON object. JSON patches are arrays of operations. */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: JsonValue;
  from?: string;
}
