import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import type { Logger } from '../../logger.js';
import { classifyError } from '../error-classification.js';
import { type AgentContext, AgentError } from '../types.js';
import { type CodeOutput, emptyOutput } from './output.js';

/**
 * Delegate mode: hand the task's issue to a coding agent the team already uses (a comment such
 * as "@claude implement this issue", and/or an assignee), then follow the issue's timeline until
 * a pull request that references it appears, and report that PR. The hand-over happens once
 * (effects ledger); its time is recorded, so a retried step keeps the original deadline.
 */

export interface DelegateSettings {
  repo: string;
  comment: string | null;
  assignee: string | null;
  timeoutMs: number;
}

export interface DelegateOptions {
  github: Octokit;
  logger: Logger;
  pollMs: number;
  now?: () => number;
}

const TimelineSchema = z.array(
  z.object({
    event: z.string().optional(),
    source: z
      .object({
        issue: z
          .object({
            number: z.number(),
            html_url: z.string(),
            pull_request: z.unknown().optional(),
            repository: z.object({ full_name: z.string() }).optional(),
          })
          .optional(),
      })
      .optional(),
  }),
);

export async function runDelegate(
  ctx: AgentContext,
  settings: DelegateSettings,
  options: DelegateOptions,
): Promise<CodeOutput> {
  const { github } = options;
  const now = options.now ?? Date.now;
  const ticket = ctx.previous.ticket;
  const issue = ticket && ticket.dryRun !== true && typeof ticket.number === 'number' ? ticket.number : null;
  if (issue === null) {
    return emptyOutput(
      'delegate',
      'there is no GitHub issue to hand over (the issue step made a dry run)',
      settings.repo,
    );
  }
  const [owner = '', repo = ''] = settings.repo.split('/');
  const ref = { owner, repo };
  const key = `task:${ctx.task.id}:code_delegate`;
  try {
    const done = await ctx.effects?.get(`${key}:pr`);
    if (done?.status === 'done' && done.detail) return done.detail as CodeOutput;
    const handoff = await ctx.effects?.get(`${key}:handoff`);
    let since = typeof handoff?.detail?.at === 'number' ? handoff.detail.at : null;
    if (handoff?.status !== 'done') {
      await ctx.effects?.begin(`${key}:handoff`, 'github_handoff');
      // A retry after a crash here may comment twice: it is a visible, harmless repeat, never a second PR.
      if (settings.comment) {
        await github.rest.issues.createComment({
          ...ref,
          issue_number: issue,
          body: settings.comment,
          request: { signal: ctx.signal },
        });
      }
      if (settings.assignee) {
        await github.rest.issues.addAssignees({
          ...ref,
          issue_number: issue,
          assignees: [settings.assignee],
          request: { signal: ctx.signal },
        });
      }
      since = now();
      await ctx.effects?.complete(`${key}:handoff`, String(issue), { at: since });
    }
    const deadline = (since ?? now()) + settings.timeoutMs;
    for (;;) {
      const pr = await linkedPull(github, ref, settings.repo, issue, ctx.signal);
      if (pr) {
        options.logger.info({ pr: pr.number, issue }, 'delegated pull request found');
        const output: CodeOutput = {
          ...emptyOutput('delegate', null, settings.repo),
          pr: { number: pr.number, url: pr.url, reused: false },
        };
        await ctx.effects?.complete(`${key}:pr`, pr.url, output);
        return output;
      }
      if (now() >= deadline) {
        throw new AgentError(
          `No pull request was linked to issue #${issue} within ${Math.round(settings.timeoutMs / 60_000)} minutes of handing it over`,
          'permanent',
        );
      }
      await new Promise((r) => setTimeout(r, options.pollMs));
      if (ctx.signal.aborted) throw ctx.signal.reason;
    }
  } catch (err) {
    throw classifyError(err, `Following issue #${issue} for a pull request`);
  }
}

/** A PR in the same repo whose text references the issue (the timeline's cross-references). */
async function linkedPull(
  github: Octokit,
  ref: { owner: string; repo: string },
  full: string,
  issue: number,
  signal: AbortSignal,
): Promise<{ number: number; url: string } | null> {
  const res = await github.rest.issues.listEventsForTimeline({
    ...ref,
    issue_number: issue,
    per_page: 100,
    request: { signal },
  });
  for (const event of TimelineSchema.parse(res.data)) {
    const source = event.source?.issue;
    if (event.event !== 'cross-referenced' || !source || source.pull_request === undefined) continue;
    if (source.repository && source.repository.full_name.toLowerCase() !== full.toLowerCase()) continue;
    return { number: source.number, url: source.html_url };
  }
  return null;
}
