import { inRepo, type RouteContext } from './context.js';
import { failure, fields, isoNow, notFound, ok, paginate, str, validationFailed } from './http.js';
import type { StandInDeployment, StandInDeploymentStatus } from './models.js';
import { combinedStatuses } from './routes-checks.js';
import type { Repo } from './state.js';

/**
 * Deployments and deployment statuses:
 *
 *   POST /repos/:o/:r/deployments               {ref, environment, payload, description, auto_merge,
 *                                               required_contexts, production_environment, transient_environment}
 *        409 when `required_contexts` is left out (all contexts required, as on GitHub) and a
 *        commit status of the ref is not success; 409 when auto_merge (default true) would have
 *        to merge the default branch in because the ref is behind it.
 *   GET  /repos/:o/:r/deployments               ?sha ref task environment (newest first)
 *   GET  /repos/:o/:r/deployments/:id
 *   POST /repos/:o/:r/deployments/:id/statuses  {state, environment_url, log_url, description, environment}
 *   GET  /repos/:o/:r/deployments/:id/statuses  newest first
 * Emits deployment created and deployment_status created.
 */

const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

export function registerDeploymentRoutes(rc: RouteContext): void {
  const { router, state } = rc;

  const deploymentJson = (repo: Repo, d: StandInDeployment) => ({
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    environment: d.environment,
    original_environment: d.environment,
    description: d.description,
    payload: d.payload,
    creator: state.user(d.creator),
    production_environment: d.production_environment,
    transient_environment: d.transient_environment,
    created_at: d.created_at,
    updated_at: d.updated_at,
    url: state.apiUrl(repo, `/deployments/${d.id}`),
    statuses_url: state.apiUrl(repo, `/deployments/${d.id}/statuses`),
    repository_url: state.apiUrl(repo),
  });

  const statusJson = (repo: Repo, d: StandInDeployment, s: StandInDeploymentStatus) => ({
    ...s,
    node_id: `DES_${s.id}`,
    creator: state.user(s.creator),
    target_url: s.log_url,
    deployment_url: state.apiUrl(repo, `/deployments/${d.id}`),
    url: state.apiUrl(repo, `/deployments/${d.id}/statuses/${s.id}`),
  });

  router.add(
    'POST /repos/:owner/:repo/deployments',
    inRepo(rc, ({ body, login }, repo) => {
      const f = fields(body);
      const ref = str(f.ref);
      if (!ref) return validationFailed([{ resource: 'Deployment', field: 'ref', code: 'missing_field' }]);
      const sha = state.resolve(repo, ref);
      if (!sha) return failure(422, `No ref found for: ${ref}`);
      if (!Array.isArray(f.required_contexts)) {
        const failing = combinedStatuses(repo, sha).filter((s) => s.state !== 'success');
        if (failing.length > 0) {
          return failure(409, `Conflict: Commit status checks failed for ${ref}.`, {
            errors: failing.map((s) => ({
              contexts: [{ context: s.context, state: s.state }],
              resource: 'Deployment',
              field: 'required_contexts',
              code: 'invalid',
            })),
          });
        }
      } else {
        const required = f.required_contexts.map(String);
        const ok = new Set(
          combinedStatuses(repo, sha)
            .filter((s) => s.state === 'success')
            .map((s) => s.context),
        );
        const missing = required.filter((c) => !ok.has(c));
        if (missing.length > 0) return failure(409, `Conflict: Commit status checks failed for ${ref}.`);
      }
      const defaultHead = repo.refs.get(`refs/heads/${repo.defaultBranch}`);
      if (f.auto_merge !== false && defaultHead && !repo.git.isAncestor(defaultHead, sha)) {
        return failure(409, `Conflict merging ${repo.defaultBranch} into ${ref}.`);
      }
      const environment = str(f.environment) ?? 'production';
      const now = isoNow();
      const d: StandInDeployment = {
        id: state.nextId(),
        sha,
        ref,
        task: str(f.task) ?? 'deploy',
        environment,
        description: str(f.description) ?? null,
        payload: f.payload ?? {},
        creator: login,
        production_environment:
          typeof f.production_environment === 'boolean'
            ? f.production_environment
            : environment === 'production',
        transient_environment: f.transient_environment === true,
        created_at: now,
        updated_at: now,
        statuses: [],
      };
      repo.deployments.push(d);
      state.emit(repo, 'deployment', { action: 'created', deployment: deploymentJson(repo, d) }, login);
      return ok(deploymentJson(repo, d), 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/deployments',
    inRepo(rc, ({ query }, repo) => {
      const list = repo.deployments
        .filter((d) => !query.get('sha') || d.sha === query.get('sha'))
        .filter((d) => !query.get('ref') || d.ref === query.get('ref'))
        .filter((d) => !query.get('task') || d.task === query.get('task'))
        .filter((d) => !query.get('environment') || d.environment === query.get('environment'))
        .sort((a, b) => b.id - a.id);
      return ok(paginate(list, query).map((d) => deploymentJson(repo, d)));
    }),
  );

  const findDeployment = (repo: Repo, id: string | undefined) =>
    repo.deployments.find((d) => String(d.id) === id);

  router.add(
    'GET /repos/:owner/:repo/deployments/:id',
    inRepo(rc, ({ params }, repo) => {
      const d = findDeployment(repo, params.id);
      return d ? ok(deploymentJson(repo, d)) : notFound();
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/deployments/:id/statuses',
    inRepo(rc, ({ params, body, login }, repo) => {
      const d = findDeployment(repo, params.id);
      if (!d) return notFound();
      const f = fields(body);
      const stateValue = str(f.state) ?? '';
      if (!STATES.includes(stateValue)) {
        return validationFailed([{ resource: 'DeploymentStatus', field: 'state', code: 'invalid' }]);
      }
      const now = isoNow();
      const s: StandInDeploymentStatus = {
        id: state.nextId(),
        state: stateValue as StandInDeploymentStatus['state'],
        description: str(f.description) ?? '',
        environment: str(f.environment) ?? d.environment,
        environment_url: str(f.environment_url) ?? '',
        log_url: str(f.log_url) ?? str(f.target_url) ?? '',
        creator: login,
        created_at: now,
        updated_at: now,
      };
      d.statuses.push(s);
      d.updated_at = now;
      // auto_inactive (default true): a success marks the environment's older deployments inactive.
      if (s.state === 'success' && f.auto_inactive !== false) {
        for (const other of repo.deployments) {
          const last = other.statuses[other.statuses.length - 1];
          if (other === d || other.environment !== d.environment || last?.state !== 'success') continue;
          other.statuses.push({
            ...last,
            id: state.nextId(),
            state: 'inactive',
            created_at: now,
            updated_at: now,
          });
        }
      }
      state.emit(
        repo,
        'deployment_status',
        { action: 'created', deployment_status: statusJson(repo, d, s), deployment: deploymentJson(repo, d) },
        login,
      );
      return ok(statusJson(repo, d, s), 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/deployments/:id/statuses',
    inRepo(rc, ({ params, query }, repo) => {
      const d = findDeployment(repo, params.id);
      if (!d) return notFound();
      return ok(paginate([...d.statuses].reverse(), query).map((s) => statusJson(repo, d, s)));
    }),
  );
}
