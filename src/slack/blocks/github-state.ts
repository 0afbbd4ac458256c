/**
 * What a task's issue and pull requests look like on GitHub, for the card and App Home: "Issue #12
 * closed", "PR #14 draft". Pure; links only to the URLs GitHub gave.
 */
import { context } from './elements.js';
import { link } from './format.js';
import type { GitHubLinkModel } from './models.js';
import type { ContextBlock } from './types.js';

const PULL_WORD: Record<string, string> = {
  open: '🟢 open',
  draft: '📝 draft',
  merged: '🟣 merged',
  closed: '🔴 closed',
};
const ISSUE_WORD: Record<string, string> = { open: '🟢 open', closed: '✅ closed' };

/** Pull requests shown per task; the rest are counted. */
export const MAX_PULLS_SHOWN = 3;

/** One piece: "Issue #12 closed" or "PR #14 merged", the number linked. */
export function githubLinkText(l: GitHubLinkModel): string {
  const isPull = l.kind === 'pull';
  const what = `${isPull ? 'PR' : 'Issue'} #${l.number}`;
  const word = (isPull ? PULL_WORD : ISSUE_WORD)[l.state] ?? l.state.replace(/[^a-z_]/gi, '');
  return `${link(l.url, what)} ${word}`;
}

/** The issue first, then pull requests newest first; "…and N more PRs" beyond the cap. */
export function githubStateText(links: readonly GitHubLinkModel[], maxPulls = MAX_PULLS_SHOWN): string {
  const issues = links.filter((l) => l.kind === 'issue');
  const pulls = links.filter((l) => l.kind === 'pull').sort((a, b) => b.number - a.number);
  const shown = pulls.slice(0, maxPulls);
  const parts = [...issues.slice(0, 1), ...shown].map(githubLinkText);
  if (pulls.length > shown.length) parts.push(`…and ${pulls.length - shown.length} more PRs`);
  return parts.join(' · ');
}

/** The card's GitHub line, or nothing when the task has no issue or PR linked yet. */
export function githubStateBlock(links: readonly GitHubLinkModel[]): ContextBlock[] {
  if (links.length === 0) return [];
  return [context(`*GitHub:* ${githubStateText(links)}`)];
}
