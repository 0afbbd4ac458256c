/**
 * Phases 3–4 settings (BUILD_*, IMAGE_REPOSITORY, DEPLOY_*), resolved from the validated
 * environment. The zod fields are spread into config.ts's one schema; split out to keep that file
 * short. Missing BUILD_WORKFLOW means no build starts (fail closed), and the card never claims one.
 */
import { delimiter } from 'node:path';
import { z } from 'zod';
import type { KubernetesAccess } from './services/kubernetes.js';

const blank = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const secondsField = (fallback: number, max: number) =>
  z.preprocess(
    blank,
    z.coerce
      .number({ message: 'must be a number of seconds' })
      .positive('must be more than 0 seconds')
      .max(max, `must be at most ${max} seconds`)
      .default(fallback)
      .transform((s) => Math.round(s * 1000)),
  );

/** One deploy environment: where the image goes and whether a person must approve it first. */
export const DeployEnvironmentSchema = z.object({
  name: z.string().regex(/^[\w.-]{1,64}$/, 'name must be letters, digits, dot, dash or underscore'),
  namespace: z.string().min(1),
  deployment: z.string().min(1),
  container: z.string().min(1),
  approval: z.boolean().default(true),
  url: z.url().optional(),
});
export type DeployEnvironment = z.infer<typeof DeployEnvironmentSchema>;

const environments = z.preprocess(
  (value) => {
    const v = blank(value);
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return Symbol('invalid JSON');
    }
  },
  z
    .array(DeployEnvironmentSchema, {
      message: 'must be a JSON list of {"name","namespace","deployment","container","approval"}',
    })
    .default([])
    .refine((l) => new Set(l.map((e) => e.name)).size === l.length, 'names must be unique'),
);

export const BUILD_ENV_FIELDS = {
  BUILD_WORKFLOW: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^[\w.-]+\.ya?ml$|^\d+$/, 'must be a workflow file name such as build.yml, or its id')
      .optional(),
  ),
  BUILD_TIMEOUT_SECONDS: secondsField(3600, 24 * 3600),
  BUILD_RUN_APPEAR_SECONDS: secondsField(120, 3600),
  BUILD_POLL_SECONDS: secondsField(10, 600),
  IMAGE_REPOSITORY: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/, 'must be an image repository such as ghcr.io/acme/web')
      .optional(),
  ),
  DEPLOY_ENVIRONMENTS: environments,
  DEPLOY_PREVENT_SELF_APPROVAL: z.preprocess(
    (v) => (typeof v === 'string' ? blank(v.trim().toLowerCase()) : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? true : ['true', '1', 'yes'].includes(v))),
  ),
  DEPLOY_APPROVAL_TTL_SECONDS: secondsField(24 * 3600, 30 * 24 * 3600),
  DEPLOY_ROLLOUT_TIMEOUT_SECONDS: secondsField(600, 6 * 3600),
  KUBECONFIG: z.preprocess(blank, z.string().trim().optional()),
};

export interface BuildConfig {
  /** null: no build (the merge is noted on the card, nothing is dispatched). */
  workflow: string | null;
  /** null: the image ref must come from the run's `image-ref` artifact. */
  imageRepository: string | null;
  timeoutMs: number;
  /** How long a dispatch may stay without a run before "dispatch accepted but no run appeared". */
  appearMs: number;
  pollMs: number;
}

export interface DeployConfig {
  environments: DeployEnvironment[];
  preventSelfApproval: boolean;
  approvalTtlMs: number;
  /** The bot's own limit on one rollout, after which it rolls back. */
  rolloutTimeoutMs: number;
  /**
   * KUBECONFIG wins, then the in-cluster service account; neither → null and deploys say so.
   * Never ~/.kube/config: a bot must not deploy with whatever a machine happens to hold.
   */
  kubernetes: KubernetesAccess | null;
}

type BuildEnv = z.output<z.ZodObject<typeof BUILD_ENV_FIELDS>>;

export function resolveBuildConfig(
  e: BuildEnv,
  env: Record<string, string | undefined>,
): { build: BuildConfig; deploy: DeployConfig } {
  const kubeconfigs = (e.KUBECONFIG ?? '').split(delimiter).filter((f) => f.trim() !== '');
  const kubernetes: KubernetesAccess | null =
    kubeconfigs.length > 0
      ? { kind: 'kubeconfig', paths: kubeconfigs }
      : env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT
        ? { kind: 'in-cluster' }
        : null;
  return {
    build: {
      workflow: e.BUILD_WORKFLOW ?? null,
      imageRepository: e.IMAGE_REPOSITORY ?? null,
      timeoutMs: e.BUILD_TIMEOUT_SECONDS,
      appearMs: e.BUILD_RUN_APPEAR_SECONDS,
      pollMs: e.BUILD_POLL_SECONDS,
    },
    deploy: {
      environments: e.DEPLOY_ENVIRONMENTS,
      preventSelfApproval: e.DEPLOY_PREVENT_SELF_APPROVAL,
      approvalTtlMs: e.DEPLOY_APPROVAL_TTL_SECONDS,
      rolloutTimeoutMs: e.DEPLOY_ROLLOUT_TIMEOUT_SECONDS,
      kubernetes,
    },
  };
}
