import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { taskBranchName } from '../../domain/github-link.js';
import type { RepoRef } from './workspace.js';

/**
 * The branch a task's change goes to: `orchestrator/<task-short-id>-<slug>`. Ours when its head
 * commit carries our trailer for this task; taken by someone else otherwise, and then the next
 * suffix (-2, -3 …) is tried. A branch is never overwritten, and never moved by force.
 */

export const TASK_TRAILER = 'Orchestrator-Task';
const MAX_SUFFIX = 9;

const RefSchema = z.object({ object: z.object({ sha: z.string() }) });
const CommitSchema = z.object({ sha: z.string(), message: z.string(), tree: z.object({ sha: z.string() }) });

/** The domain's rule (src/domain/github-link.ts), shared with the GitHub events intake. */
export function branchBase(taskId: string, title: string): string {
  return taskBranchName(taskId, title);
}

export function trailer(taskId: string): string {
  return `${TASK_TRAILER}: ${taskId}`;
}

export interface BranchState {
  name: string;
  /** Head commit when the branch exists (ours), else null. */
  head: { sha: string; treeSha: string; message: string } | null;
}

/** Our branch for the task (existing, to continue) or the first free name. */
export async function findBranch(
  github: Octokit,
  ref: RepoRef,
  taskId: string,
  title: string,
  signal: AbortSignal,
): Promise<BranchState> {
  const base = branchBase(taskId, title);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    const head = await headOf(github, ref, name, signal);
    if (!head) return { name, head: null };
    if (head.message.includes(trailer(taskId))) return { name, head };
  }
  throw new Error(`every branch name from ${base} to ${base}-${MAX_SUFFIX} is taken`);
}

export async function headOf(
  github: Octokit,
  ref: RepoRef,
  branch: string,
  signal: AbortSignal,
): Promise<BranchState['head']> {
  let sha: string;
  try {
    const res = await github.rest.git.getRef({ ...ref, ref: `heads/${branch}`, request: { signal } });
    sha = RefSchema.parse(res.data).object.sha;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
  const commit = CommitSchema.parse(
    (await github.rest.git.getCommit({ ...ref, commit_sha: sha, request: { signal } })).data,
  );
  return { sha, treeSha: commit.tree.sha, message: commit.message };
}

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
    ? err.status
    : undefined;
}
