import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { octokitFor } from './client.js';

/**
 * CI through the real Octokit: workflow dispatch with and without run details (and a server
 * that ignores or rejects the flag), runs found by event, branch and head SHA, progress and
 * failure driven by the test, jobs, a failing step's log through the redirect, artifacts,
 * re-run and cancel; check runs and the combined status of a ref; deployments and statuses.
 */

const owner = 'acme';
const repo = 'web';
let gh: GitHubStandIn;

beforeAll(async () => {
  gh = await startGitHubStandIn({ repos: ['acme/web'] });
  gh.commitFiles('acme/web', { 'README.md': 'hello\n' });
  gh.actions.addWorkflow('acme/web', {
    file: 'build.yml',
    name: 'Build',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not JS
    runName: 'Build ${{ inputs.correlation_id }}',
    jobs: [{ name: 'image', steps: [{ name: 'Set up job' }, { name: 'docker build' }, { name: 'push' }] }],
  });
  gh.actions.addWorkflow('acme/web', { file: 'ci.yml', name: 'CI', on: ['pull_request'] });
});
afterAll(() => gh.close());

describe('workflow dispatch and runs', () => {
  it('return_run_details: 200 with the run id; without: 204; the run is found by its correlation id', async () => {
    const octokit = octokitFor(gh);
    const sha = gh.sha('acme/web', 'main')!;
    const withDetails = await octokit.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner,
        repo,
        workflow_id: 'build.yml',
        ref: 'main',
        inputs: { sha, correlation_id: 'corr-1' },
        return_run_details: true,
      },
    );
    expect(withDetails.status).toBe(200);
    const runId = (withDetails.data as { workflow_run_id: number }).workflow_run_id;

    const without = await octokit.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: 'build.yml',
      ref: 'main',
      inputs: { sha, correlation_id: 'corr-2' },
    });
    expect(without.status).toBe(204);
    const runs = await octokit.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: 'build.yml',
      event: 'workflow_dispatch',
    });
    const second = runs.data.workflow_runs.find((r) => r.display_title === 'Build corr-2');
    expect(second).toMatchObject({ head_sha: sha, status: 'queued', head_branch: 'main' });
    expect(runs.data.workflow_runs.map((r) => r.id)).toContain(runId);

    await expect(
      octokit.actions.createWorkflowDispatch({ owner, repo, workflow_id: 'build.yml', ref: sha }),
    ).rejects.toMatchObject({ status: 422 });

    gh.actions.runDetails = 'ignored';
    const ignored = await octokit.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner,
        repo,
        workflow_id: 'build.yml',
        ref: 'main',
        return_run_details: true,
      },
    );
    expect(ignored.status).toBe(204);
    gh.actions.runDetails = 'rejected';
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        owner,
        repo,
        workflow_id: 'build.yml',
        ref: 'main',
        return_run_details: true,
      }),
    ).rejects.toMatchObject({ status: 422 });
    gh.actions.runDetails = 'supported';
  });

  it('a run that fails: jobs, the failing step, its log tail, re-run, then success with an artifact', async () => {
    const octokit = octokitFor(gh);
    const { data } = await octokit.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner,
        repo,
        workflow_id: 'build.yml',
        ref: 'main',
        return_run_details: true,
      },
    );
    const runId = (data as { workflow_run_id: number }).workflow_run_id;
    gh.actions.start('acme/web', runId);
    expect((await octokit.actions.getWorkflowRun({ owner, repo, run_id: runId })).data.status).toBe(
      'in_progress',
    );
    gh.actions.complete('acme/web', runId, 'failure', {
      step: 'docker build',
      log: 'error: no space left on device',
    });

    const run = (await octokit.actions.getWorkflowRun({ owner, repo, run_id: runId })).data;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure', run_attempt: 1 });
    const jobs = (await octokit.actions.listJobsForWorkflowRun({ owner, repo, run_id: runId })).data.jobs;
    expect(jobs[0]?.steps?.map((s) => `${s.name}:${s.conclusion}`)).toEqual([
      'Set up job:success',
      'docker build:failure',
      'push:skipped',
    ]);
    const log = await octokit.actions.downloadJobLogsForWorkflowRun({ owner, repo, job_id: jobs[0]!.id });
    expect(String(log.data)).toMatch(
      /error: no space left on device\n.*##\[error\]Process completed with exit code 1\./,
    );

    await octokit.actions.reRunWorkflowFailedJobs({ owner, repo, run_id: runId });
    expect((await octokit.actions.getWorkflowRun({ owner, repo, run_id: runId })).data).toMatchObject({
      status: 'queued',
      run_attempt: 2,
    });
    gh.actions.addArtifact('acme/web', runId, 'image-ref', { 'image-ref': 'ghcr.io/acme/web@sha256:abc\n' });
    gh.actions.complete('acme/web', runId, 'success');
    expect((await octokit.actions.getWorkflowRun({ owner, repo, run_id: runId })).data.conclusion).toBe(
      'success',
    );
    const artifacts = await octokit.actions.listWorkflowRunArtifacts({ owner, repo, run_id: runId });
    const zip = await octokit.actions.downloadArtifact({
      owner,
      repo,
      artifact_id: artifacts.data.artifacts[0]!.id,
      archive_format: 'zip',
    });
    const bytes = Buffer.from(zip.data as ArrayBuffer);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304');
    expect(bytes.toString('latin1')).toContain('ghcr.io/acme/web@sha256:abc');

    await expect(octokit.actions.cancelWorkflowRun({ owner, repo, run_id: runId })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('a pull_request workflow runs on the PR head; its jobs are check runs of that SHA', async () => {
    const octokit = octokitFor(gh);
    const head = gh.commitFiles('acme/web', { 'x.ts': 'x\n' }, { branch: 'feat' });
    await octokit.pulls.create({ owner, repo, title: 'feat', head: 'feat', base: 'main' });
    const runs = await octokit.actions.listWorkflowRunsForRepo({ owner, repo, head_sha: head });
    expect(runs.data.workflow_runs.map((r) => [r.name, r.event])).toEqual([['CI', 'pull_request']]);
    const checks = await octokit.checks.listForRef({ owner, repo, ref: head });
    expect(checks.data.check_runs.map((c) => [c.name, c.status])).toEqual([['build', 'queued']]);
    gh.actions.complete('acme/web', runs.data.workflow_runs[0]!.id, 'success');
    const after = await octokit.checks.listForRef({ owner, repo, ref: 'feat' });
    expect(after.data.check_runs.map((c) => c.conclusion)).toEqual(['success']);
  });
});

describe('checks, statuses and deployments', () => {
  it('check runs set by the test, and the combined status of a ref', async () => {
    const octokit = octokitFor(gh);
    const sha = gh.sha('acme/web', 'main')!;
    const run = gh.checks.create('acme/web', { name: 'lint', head_sha: sha, status: 'in_progress' });
    gh.checks.update('acme/web', run.id, {
      conclusion: 'failure',
      output: { title: '3 errors', summary: 'x' },
    });
    const listed = await octokit.checks.listForRef({ owner, repo, ref: 'main', check_name: 'lint' });
    expect(listed.data.check_runs[0]).toMatchObject({ conclusion: 'failure', output: { title: '3 errors' } });

    expect((await octokit.repos.getCombinedStatusForRef({ owner, repo, ref: 'main' })).data.state).toBe(
      'pending',
    );
    await octokit.repos.createCommitStatus({ owner, repo, sha, state: 'failure', context: 'ci/test' });
    await octokit.repos.createCommitStatus({ owner, repo, sha, state: 'success', context: 'ci/test' });
    await octokit.repos.createCommitStatus({ owner, repo, sha, state: 'success', context: 'ci/lint' });
    const combined = await octokit.repos.getCombinedStatusForRef({ owner, repo, ref: 'main' });
    expect(combined.data).toMatchObject({ state: 'success', total_count: 2 });
  });

  it('a deployment and its statuses; a failing status context blocks one without required_contexts', async () => {
    const octokit = octokitFor(gh);
    const sha = gh.sha('acme/web', 'main')!;
    const { data: deployment } = await octokit.repos.createDeployment({
      owner,
      repo,
      ref: sha,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      payload: { image: 'ghcr.io/acme/web:abc' },
    });
    if (!('id' in deployment)) throw new Error('no deployment');
    for (const state of ['in_progress', 'success'] as const) {
      await octokit.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: deployment.id,
        state,
        environment_url: 'https://web.example.com',
        log_url: 'https://slack.example.com/x',
      });
    }
    const statuses = await octokit.repos.listDeploymentStatuses({
      owner,
      repo,
      deployment_id: deployment.id,
    });
    expect(statuses.data.map((s) => s.state)).toEqual(['success', 'in_progress']);
    const listed = await octokit.repos.listDeployments({ owner, repo, environment: 'production' });
    expect(listed.data[0]).toMatchObject({
      id: deployment.id,
      sha,
      payload: { image: 'ghcr.io/acme/web:abc' },
    });

    await octokit.repos.createCommitStatus({ owner, repo, sha, state: 'failure', context: 'ci/e2e' });
    await expect(
      octokit.repos.createDeployment({ owner, repo, ref: sha, environment: 'production', auto_merge: false }),
    ).rejects.toMatchObject({ status: 409 });
  });
});
