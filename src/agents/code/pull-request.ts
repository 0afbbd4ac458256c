import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { neutralizeGithubMentions } from '../../domain/text.js';
import { statusOf } from './branch.js';
import type { StopReason } from './loop.js';
import type { RepoRef } from './workspace.js';

/**
 * The draft pull request of a task's branch: found first (`pulls.list({head})`, any state), then
 * created. Creating answers 422 when one is already open for the head (a concurrent or earlier
 * attempt won): then the listing is asked again, so one branch never gets two PRs.
 */

const PullSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  draft: z.boolean().optional(),
});
export type Pull = z.infer<typeof PullSchema>;

export interface PullInput {
  ref: RepoRef;
  branch: string;
  base: string;
  title: string;
  body: string;
  signal: AbortSignal;
}

export async function findOrCreatePull(
  github: Octokit,
  input: PullInput,
): Promise<{ pull: Pull; reused: boolean }> {
  const found = await findPull(github, input);
  if (found) return { pull: found, reused: true };
  try {
    const res = await github.rest.pulls.create({
      ...input.ref,
      head: input.branch,
      base: input.base,
      title: input.title,
      body: input.body,
      draft: true,
      request: { signal: input.signal },
    });
    return { pull: PullSchema.parse(res.data), reused: false };
  } catch (err) {
    if (statusOf(err) !== 422) throw err;
    const again = await findPull(github, input);
    if (again) return { pull: again, reused: true };
    throw err;
  }
}

async function findPull(github: Octokit, input: PullInput): Promise<Pull | null> {
  const res = await github.rest.pulls.list({
    ...input.ref,
    head: `${input.ref.owner}:${input.branch}`,
    state: 'all',
    per_page: 10,
    request: { signal: input.signal },
  });
  return z.array(PullSchema).parse(res.data)[0] ?? null;
}

export interface PullBodyInput {
  taskId: string;
  summary: string | null;
  files: readonly string[];
  acceptanceCriteria: readonly string[];
  issueNumber: number | null;
  threadLink: string | null;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  stoppedBy: StopReason | null;
  model: string;
}

export const STOP_WORDS: Record<StopReason, string> = {
  turns: 'the turn budget',
  cost: 'the cost budget',
  time: 'the time limit',
};

export function pullMarker(taskId: string): string {
  return `<!-- ai-orchestrator:task=${taskId}:code -->`;
}

/** The PR's Markdown. Model and thread text is made inert: no pings, no forged markers. */
export function buildPullBody(input: PullBodyInput): string {
  const inert = (t: string) => neutralizeGithubMentions(t).replace(/<!--/g, '&lt;!--');
  const parts: string[] = [];
  if (input.stoppedBy) {
    parts.push(
      `> [!WARNING]\n> Work in progress: the agent stopped at ${STOP_WORDS[input.stoppedBy]} before it finished. Review with care.`,
    );
  }
  parts.push(`### Summary\n\n${inert(input.summary?.trim() || '_No summary._')}`);
  parts.push(`### Files changed\n\n${input.files.map((f) => `- \`${f.replace(/`/g, '')}\``).join('\n')}`);
  if (input.acceptanceCriteria.length > 0) {
    parts.push(
      `### Acceptance criteria\n\n${input.acceptanceCriteria.map((c) => `- [ ] ${inert(c.replace(/\s+/g, ' ').trim())}`).join('\n')}`,
    );
  }
  const footer: string[] = [];
  if (input.issueNumber != null) footer.push(`Closes #${input.issueNumber}`);
  const link = safeLink(input.threadLink);
  if (link) footer.push(`From [this Slack thread](${link}).`);
  footer.push(
    `Written by AI Orchestrator's code agent (${inert(input.model)}): ${input.turns} turns, ${input.inputTokens + input.outputTokens} tokens (${input.inputTokens} in, ${input.outputTokens} out), about $${input.costUsd.toFixed(2)}.`,
  );
  parts.push(`---\n${footer.join('\n\n')}`);
  parts.push(pullMarker(input.taskId));
  return `${parts.join('\n\n')}\n`;
}

function safeLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
  } catch {
    return null;
  }
}
