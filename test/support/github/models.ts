/**
 * The records the GitHub stand-in keeps, trimmed to the fields the bot reads, named as in
 * GitHub's REST answers (so a test can assert on them the way the bot reads them).
 */

export interface StandInIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason?: string | null;
  labels: Array<{ name: string }>;
  assignees?: Array<{ login: string }>;
  assignee?: { login: string } | null;
  user: { login: string };
  html_url: string;
  url: string;
  created_at: string;
  updated_at: string;
  closed_at?: string | null;
  comments: number;
  pull_request?: { url: string; html_url?: string; merged_at?: string | null };
}

export interface StandInComment {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
  updated_at: string;
  html_url: string;
  url: string;
  issue_url: string;
}

export interface StandInPull {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  user: { login: string };
  head: { ref: string; label: string; repoFull: string };
  base: { ref: string };
  /** Test override; null lets the stand-in work it out from the trees (three-way merge). */
  mergeable: boolean | null;
  requested_reviewers: string[];
  merged_by: string | null;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'PENDING' | 'DISMISSED';

export interface StandInReview {
  id: number;
  pull: number;
  user: { login: string };
  body: string;
  state: ReviewState;
  commit_id: string;
  submitted_at: string;
}

export interface StandInReviewComment {
  id: number;
  pull: number;
  review_id: number | null;
  in_reply_to_id?: number;
  user: { login: string };
  body: string;
  path: string;
  line: number | null;
  side: string;
  commit_id: string;
  created_at: string;
  updated_at: string;
}

export type RunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type Conclusion =
  | 'success'
  | 'failure'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'neutral'
  | 'action_required'
  | 'stale';

export interface StandInCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  started_at: string | null;
  completed_at: string | null;
  details_url: string | null;
  output: { title: string | null; summary: string | null; text?: string | null };
  app: string;
  suite_id: number;
}

export interface StandInStatus {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  target_url: string | null;
  creator: string;
  created_at: string;
  updated_at: string;
}

export interface WorkflowStep {
  name: string;
  /** Log lines of this step (the test's, or a default line). */
  log?: string;
}

export interface WorkflowJobSpec {
  name: string;
  steps: WorkflowStep[];
}

export interface StandInWorkflow {
  id: number;
  /** File name, e.g. 'build.yml' (the API accepts it as the workflow id). */
  file: string;
  name: string;
  /** `run-name:` with `${{ inputs.x }}` and `${{ github.sha }}` expanded per run. */
  runName?: string;
  jobs: WorkflowJobSpec[];
  /** `on:` events the workflow answers (push, pull_request…); dispatch always works. */
  on: string[];
  state: 'active' | 'disabled_manually';
  /** false: a dispatch is accepted (204) and no run ever appears. */
  runAppears?: boolean;
}

export interface StandInJob {
  id: number;
  run_id: number;
  run_attempt: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  started_at: string | null;
  completed_at: string | null;
  steps: Array<{ name: string; number: number; status: RunStatus; conclusion: Conclusion | null }>;
  log: string;
  /** The check run GitHub Actions keeps for this job. */
  check_run_id: number;
}

export interface StandInArtifact {
  id: number;
  run_id: number;
  name: string;
  /** Files inside the artifact's zip. */
  files: Record<string, string>;
}

export interface StandInRun {
  id: number;
  workflow_id: number;
  name: string;
  display_title: string;
  run_number: number;
  run_attempt: number;
  event: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  head_branch: string | null;
  head_sha: string;
  actor: string;
  inputs: Record<string, string>;
  created_at: string;
  updated_at: string;
  run_started_at: string;
  jobs: StandInJob[];
  pull_numbers: number[];
}

export interface StandInDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  creator: string;
  production_environment: boolean;
  transient_environment: boolean;
  created_at: string;
  updated_at: string;
  statuses: StandInDeploymentStatus[];
}

export interface StandInDeploymentStatus {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  creator: string;
  created_at: string;
  updated_at: string;
}

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
