/**
 * How a pull request is tied to a task, pure: the code agent's branch names the task
 * (`orchestrator/<task-short-id>-<slug>`), and a PR body closes the task's issue (`Closes #12`).
 */

/** The first 8 hex digits of the task's id: short enough for a branch, unique enough per repo. */
export function taskShortId(taskId: string): string {
  return taskId.replace(/-/g, '').slice(0, 8).toLowerCase();
}

export const BRANCH_PREFIX = 'orchestrator/';

/** The branch the code agent uses for a task: `orchestrator/<short-id>-<slug>`. */
export function taskBranchName(taskId: string, title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return `${BRANCH_PREFIX}${taskShortId(taskId)}${slug ? `-${slug}` : ''}`;
}

/** The task short id a branch names, or null when it is not one of the bot's branches. */
export function shortIdFromBranch(ref: string): string | null {
  const m = /^orchestrator\/([0-9a-f]{8})(?:-|$)/i.exec(ref.replace(/^refs\/heads\//, ''));
  return m?.[1]?.toLowerCase() ?? null;
}

/**
 * Issue numbers a PR body closes with GitHub's keywords (close, closes, closed, fix, fixes, fixed,
 * resolve, resolves, resolved), in `repo` only: `#12`, `owner/repo#12` or the issue's URL.
 */
export function closingIssueNumbers(body: string, repo: string): number[] {
  const found = new Set<number>();
  const keyword = String.raw`\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+`;
  const target = String.raw`(?:([\w.-]+\/[\w.-]+)#(\d+)|#(\d+)|https?:\/\/[^\s/]+\/([\w.-]+\/[\w.-]+)\/issues\/(\d+))`;
  for (const m of body.matchAll(new RegExp(keyword + target, 'gi'))) {
    const other = m[1] ?? m[4];
    if (other && other.toLowerCase() !== repo.toLowerCase()) continue;
    const n = Number(m[2] ?? m[3] ?? m[5]);
    if (Number.isInteger(n) && n > 0) found.add(n);
  }
  return [...found];
}
