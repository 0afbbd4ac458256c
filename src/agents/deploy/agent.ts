/**
 * The `deploy` step (Phase 4) after a successful build: for each environment that needs no
 * approval, in order, record a GitHub Deployment, patch the image through the DeployTarget and
 * follow the rollout (rollout.ts), rolling back automatically to the last image this bot
 * deployed there successfully. Environments with `approval: true` are never deployed by this
 * step: they are reported as waiting for a gate (fail closed).
 *
 * Restart-safe: the GitHub Deployment id and the rollout journal live in the effects ledger, and
 * the target writes nothing when its change is already in place, so a restart after the PATCH
 * resumes following with no second patch and no second GitHub Deployment.
 */
import type { Octokit } from '@octokit/rest';
import type { DeployEnvironment as DeployEnvironmentConfig } from '../../config-build.js';
import { type Agent, type AgentContext, AgentError } from '../types.js';
import { formatChangeCause } from './change-cause.js';
import type { KubernetesEnvironment } from './kubernetes-target.js';
import { type DeployCheckpoint, type DeployJournal, deploy, type RolloutClock } from './rollout.js';
import type { DeployTarget } from './target.js';

export interface EnvironmentResult extends Record<string, unknown> {
  environment: string;
  /** deployed, rolled-back, failed, superseded, gated (waits for approval), deploying (in progress). */
  result: 'deployed' | 'rolled-back' | 'failed' | 'superseded' | 'gated' | 'deploying';
  image: string | null;
  previousImage: string | null;
  summary: string | null;
  githubDeploymentId: number | null;
}

export interface DeployStepOutput extends Record<string, unknown> {
  environments: EnvironmentResult[];
}

export interface DeployAgentOptions {
  github: Octokit | null;
  target: DeployTarget<KubernetesEnvironment> | null;
  environments: readonly DeployEnvironmentConfig[];
  /** The last image this bot deployed successfully to an environment (from the database). */
  lastGoodImage: (environment: string) => Promise<string | null>;
  rolloutTimeoutMs: number;
  pollIntervalMs?: number;
  clock?: RolloutClock;
  onProgress?: (ctx: AgentContext, output: DeployStepOutput) => Promise<void>;
}

export function createDeployAgent(o: DeployAgentOptions): Agent {
  return { name: 'deploy', run: (ctx) => runDeploy(o, ctx) };
}

async function runDeploy(o: DeployAgentOptions, ctx: AgentContext): Promise<DeployStepOutput> {
  const build = ctx.previous.build as
    | { image?: unknown; sha?: unknown; pull?: unknown; repo?: unknown }
    | undefined;
  const image = typeof build?.image === 'string' ? build.image : null;
  if (!image) throw new AgentError('The build named no image to deploy.', 'permanent');
  if (!o.target) {
    throw new AgentError('Kubernetes is not configured; nothing was deployed.', 'permanent', {
      detail: 'Set KUBECONFIG or run the bot in the cluster with a service account (see README, deploy).',
    });
  }
  const target = o.target;
  const sha = typeof build?.sha === 'string' ? build.sha : null;
  const pull = typeof build?.pull === 'number' ? build.pull : null;
  const repo = typeof build?.repo === 'string' ? build.repo : null;
  const output: DeployStepOutput = { environments: [] };
  const publish = async () => o.onProgress?.(ctx, structuredClone(output));

  for (const env of o.environments) {
    if (env.approval) {
      output.environments.push({
        environment: env.name,
        result: 'gated',
        image,
        previousImage: null,
        summary: null,
        githubDeploymentId: null,
      });
      continue;
    }
    const kubeEnv: KubernetesEnvironment = {
      name: env.name,
      namespace: env.namespace,
      deployment: env.deployment,
      container: env.container,
    };
    const previous = await o.lastGoodImage(env.name);
    const entry: EnvironmentResult = {
      environment: env.name,
      result: 'deploying',
      image,
      previousImage: previous,
      summary: 'starting',
      githubDeploymentId: null,
    };
    output.environments.push(entry);
    const deploymentId =
      o.github && repo && sha ? await githubDeployment(o.github, ctx, repo, sha, env.name, image) : null;
    entry.githubDeploymentId = deploymentId;
    await publish();
    const status = async (state: 'in_progress' | 'success' | 'failure', description: string) => {
      if (!o.github || !repo || deploymentId === null) return;
      const [owner, name] = repo.split('/') as [string, string];
      await o.github.rest.repos.createDeploymentStatus({
        owner,
        repo: name,
        deployment_id: deploymentId,
        state,
        description: description.slice(0, 140),
        ...(env.url ? { environment_url: env.url } : {}),
        request: { signal: ctx.signal },
      });
    };
    await status('in_progress', `Deploying ${image}`);
    const outcome = await deploy({
      target,
      environment: kubeEnv,
      change: {
        image,
        changeCause: formatChangeCause({
          action: 'deploy',
          taskId: ctx.task.id,
          runId: ctx.runId,
          pullRequest: pull,
        }),
      },
      rollbackTo: previous
        ? {
            image: previous,
            changeCause: formatChangeCause({ action: 'rollback', taskId: ctx.task.id, runId: ctx.runId }),
          }
        : null,
      journal: ledgerJournal(ctx, `${ctx.idempotencyKey}:${env.name}:rollout`),
      timeoutMs: o.rolloutTimeoutMs,
      ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
      signal: ctx.signal,
      logger: ctx.logger,
      onProgress: async (p) => {
        entry.summary = `${p.phase === 'rollback' ? 'rolling back: ' : ''}${p.summary}`;
        await publish();
      },
    });
    entry.result = outcome.result;
    if (outcome.result === 'deployed') {
      entry.summary = 'deployed';
      await status('success', `Deployed ${image}`);
      continue;
    }
    if (outcome.result === 'rolled-back') {
      entry.summary = `${outcome.failure.summary}; rolled back to ${outcome.image}`;
      await status('failure', `Rolled back to ${outcome.image}`);
    } else if (outcome.result === 'failed') {
      entry.summary = outcome.failure.summary;
      await status('failure', `Failed: ${outcome.failure.summary}`);
    } else {
      entry.summary = `the image was changed by someone else (${outcome.current ?? 'unknown'})`;
      await status('failure', 'Superseded by another change');
    }
    await publish();
    throw new AgentError(`Deploy to ${env.name} did not succeed: ${entry.summary}.`, 'permanent');
  }
  return output;
}

/** One GitHub Deployment per step and environment, remembered in the effects ledger. */
async function githubDeployment(
  github: Octokit,
  ctx: AgentContext,
  repo: string,
  sha: string,
  environment: string,
  image: string,
): Promise<number> {
  const key = `${ctx.idempotencyKey}:${environment}:github-deployment`;
  const record = await ctx.effects?.get(key);
  if (record?.status === 'done' && record.externalId) return Number(record.externalId);
  const [owner, name] = repo.split('/') as [string, string];
  await ctx.effects?.begin(key, 'github-deployment');
  const { data } = await github.rest.repos.createDeployment({
    owner,
    repo: name,
    ref: sha,
    environment,
    auto_merge: false,
    required_contexts: [],
    description: `Deploy ${image}`.slice(0, 140),
    payload: { image, task: ctx.task.id, run: ctx.runId },
    request: { signal: ctx.signal },
  });
  if (!('id' in data)) throw new AgentError('GitHub did not create the deployment record.', 'transient');
  await ctx.effects?.complete(key, String(data.id), { environment, image });
  return data.id;
}

/** The rollout journal kept in the effects ledger (its `detail`), so a restart resumes it. */
function ledgerJournal(ctx: AgentContext, key: string): DeployJournal {
  return {
    async load() {
      const record = await ctx.effects?.get(key);
      return (record?.detail?.checkpoint as DeployCheckpoint | undefined) ?? null;
    },
    async save(checkpoint) {
      if (!ctx.effects) return;
      if (!(await ctx.effects.get(key))) await ctx.effects.begin(key, 'rollout');
      await ctx.effects.complete(key, null, { checkpoint });
    },
  };
}
