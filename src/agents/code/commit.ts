import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import type { BranchState } from './branch.js';
import type { RepoRef } from './workspace.js';

/**
 * One atomic commit per round: a tree (the base tree plus every change so far), a commit on top
 * of the branch's head (or the base commit for the first round), then the ref: created, or
 * moved forward without force. A round whose tree equals the head's makes no commit, so a retry
 * after a crash does not stack empty commits.
 */

const ShaSchema = z.object({ sha: z.string() });

export interface CommitRound {
  ref: RepoRef;
  branch: BranchState;
  baseSha: string;
  baseTreeSha: string;
  changes: ReadonlyMap<string, string>;
  modeOf: (path: string) => string;
  message: string;
  signal: AbortSignal;
}

export interface Pushed {
  branch: string;
  sha: string;
  treeSha: string;
  /** False when the branch already held exactly this tree. */
  committed: boolean;
}

export async function pushRound(github: Octokit, round: CommitRound): Promise<Pushed> {
  const { ref, branch, signal } = round;
  const request = { signal };
  const tree = ShaSchema.parse(
    (
      await github.rest.git.createTree({
        ...ref,
        base_tree: round.baseTreeSha,
        tree: [...round.changes].map(([path, content]) => ({
          path,
          mode: round.modeOf(path) as '100644',
          type: 'blob' as const,
          content,
        })),
        request,
      })
    ).data,
  ).sha;
  if (branch.head?.treeSha === tree) {
    return { branch: branch.name, sha: branch.head.sha, treeSha: tree, committed: false };
  }
  const parent = branch.head?.sha ?? round.baseSha;
  const commit = ShaSchema.parse(
    (await github.rest.git.createCommit({ ...ref, message: round.message, tree, parents: [parent], request }))
      .data,
  ).sha;
  if (branch.head) {
    await github.rest.git.updateRef({
      ...ref,
      ref: `heads/${branch.name}`,
      sha: commit,
      force: false,
      request,
    });
  } else {
    await github.rest.git.createRef({ ...ref, ref: `refs/heads/${branch.name}`, sha: commit, request });
  }
  branch.head = { sha: commit, treeSha: tree, message: round.message };
  return { branch: branch.name, sha: commit, treeSha: tree, committed: true };
}
