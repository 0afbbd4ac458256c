import type Anthropic from '@anthropic-ai/sdk';
import type { Octokit } from '@octokit/rest';
import type { Logger } from '../../logger.js';
import { classifyError } from '../error-classification.js';
import { type Agent, type AgentContext, AgentError, type EffectLedger } from '../types.js';
import { findBranch, trailer } from './branch.js';
import { followChecks, repoHasCi } from './ci.js';
import { pushRound } from './commit.js';
import { runDelegate } from './delegate.js';
import { runToolLoop } from './loop.js';
import { type CodeOutput, type CodeProgress, emptyOutput } from './output.js';
import { promptTask, systemPrompt, taskMessage } from './prompt.js';
import { buildPullBody, findOrCreatePull, STOP_WORDS } from './pull-request.js';
import type { CodeSettingsResolver } from './settings.js';
import { type RepoRef, RepoWorkspace } from './workspace.js';

/**
 * The `code` step, built-in mode: read the repo at the base branch, let the model edit an
 * in-memory copy through confined tools, push one commit per round to the task's branch and
 * open a draft PR. Idempotent: the final output is kept in the effects ledger (task-keyed), the
 * pushed branch is recorded before the PR is made, and both are looked up on GitHub before any
 * write, so retries, crashes and double clicks end with one branch and one PR.
 */

export interface CodeAgentOptions {
  settings: CodeSettingsResolver;
  anthropic: Anthropic | null;
  github: Octokit | null;
  logger: Logger;
  /** Where the step is, for the card (best effort: a failure to report never stops the work). */
  onProgress?: (ctx: AgentContext, progress: CodeProgress) => Promise<void>;
  now?: () => number;
  /** CI polling: interval, and how long a commit may show no check before "no CI ran". */
  ci?: { pollMs: number; appearMs: number };
  /** Delegate mode: how often the issue's timeline is read. */
  delegatePollMs?: number;
}

const DEFAULT_CI = { pollMs: 10_000, appearMs: 90_000 };
const DEFAULT_DELEGATE_POLL_MS = 30_000;

export function codeEffectKey(taskId: string): string {
  return `task:${taskId}:code_pr`;
}

interface PushedRecord extends Record<string, unknown> {
  branch: string;
  base: string;
  sha: string;
  files: string[];
  summary: string | null;
  stoppedBy: CodeOutput['stoppedBy'];
  ci: CodeOutput['ci'];
  turns: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export function createCodeAgent(options: CodeAgentOptions): Agent {
  return {
    name: 'code',
    async run(ctx: AgentContext): Promise<CodeOutput> {
      const settings = await options.settings(ctx.task);
      const log = ctx.logger.child({ agent: 'code', taskId: ctx.task.id });
      if (settings.mode === 'off')
        return emptyOutput('off', settings.offReason ?? 'the code agent is off', null);
      const { anthropic, github } = options;
      if (settings.mode === 'delegate' && github) {
        return runDelegate(
          ctx,
          { repo: settings.repo, ...settings.delegate },
          {
            github,
            logger: log,
            pollMs: options.delegatePollMs ?? DEFAULT_DELEGATE_POLL_MS,
            ...(options.now ? { now: options.now } : {}),
          },
        );
      }
      if (settings.mode !== 'builtin' || !anthropic || !github) {
        return emptyOutput('off', 'this code agent mode is not available in this version', null);
      }
      const ref = splitRepo(settings.repo);
      const key = codeEffectKey(ctx.task.id);
      const effects = ctx.effects;
      const recorded = await effects?.get(key);
      if (recorded?.status === 'done' && recorded.detail) return recorded.detail as CodeOutput;
      await effects?.begin(key, 'github_pull');
      const progress = (p: CodeProgress) =>
        options.onProgress?.(ctx, p).catch((err: unknown) => log.warn({ err }, 'progress report failed'));
      try {
        let pushed = await recordedPush(effects, key);
        if (!pushed) {
          const made = await writeChange(ctx, options, settings, ref, progress, log);
          if ('output' in made) {
            await effects?.complete(key, null, made.output);
            return made.output;
          }
          pushed = made.pushed;
          await effects?.complete(`${key}:pushed`, pushed.sha, pushed);
        }
        await progress({ progress: 'publishing', files: pushed.files.length, turns: pushed.turns });
        const issueNumber = issueOf(ctx);
        const { pull, reused } = await findOrCreatePull(github, {
          ref,
          branch: pushed.branch,
          base: pushed.base,
          title: ctx.task.title.replace(/\s+/g, ' ').trim().slice(0, 256),
          body: buildPullBody({
            taskId: ctx.task.id,
            summary: pushed.summary,
            files: pushed.files,
            acceptanceCriteria: ctx.task.acceptanceCriteria,
            issueNumber,
            threadLink: ctx.task.threadLink,
            turns: pushed.turns,
            inputTokens: pushed.inputTokens,
            outputTokens: pushed.outputTokens,
            costUsd: pushed.costUsd,
            stoppedBy: pushed.stoppedBy,
            model: settings.model,
          }),
          signal: ctx.signal,
        });
        log.info({ pr: pull.number, reused, branch: pushed.branch }, 'pull request ready');
        const output: CodeOutput = {
          ...emptyOutput('builtin', null, settings.repo),
          branch: pushed.branch,
          pr: { number: pull.number, url: pull.html_url, reused },
          files: pushed.files,
          summary: pushed.summary,
          stoppedBy: pushed.stoppedBy,
          turns: pushed.turns,
          inputTokens: pushed.inputTokens,
          outputTokens: pushed.outputTokens,
          costUsd: pushed.costUsd,
          ci: pushed.ci,
        };
        await effects?.complete(key, pull.html_url, output);
        return output;
      } catch (err) {
        throw classifyError(err, `Writing the change in ${settings.repo}`);
      }
    },
  };
}

async function recordedPush(effects: EffectLedger | undefined, key: string): Promise<PushedRecord | null> {
  const rec = await effects?.get(`${key}:pushed`);
  return rec?.status === 'done' && rec.detail ? (rec.detail as PushedRecord) : null;
}

async function writeChange(
  ctx: AgentContext,
  options: CodeAgentOptions,
  settings: Awaited<ReturnType<CodeSettingsResolver>>,
  ref: RepoRef,
  progress: (p: CodeProgress) => Promise<void> | undefined,
  log: Logger,
): Promise<{ pushed: PushedRecord } | { output: CodeOutput }> {
  const github = options.github as Octokit;
  const now = options.now ?? Date.now;
  const started = now();
  await progress({ progress: 'reading', files: 0, turns: 0 });
  const workspace = await RepoWorkspace.open(github, ref, settings.baseBranch, ctx.signal);
  const branch = await findBranch(github, ref, ctx.task.id, ctx.task.title, ctx.signal);
  const issueNumber = issueOf(ctx);
  const withCi = settings.maxCiRounds > 0 && (await repoHasCi(github, ref, workspace.baseSha, ctx.signal));
  const ciTiming = options.ci ?? DEFAULT_CI;
  const ci = { rounds: 0, last: (withCi ? 'not-run' : 'none') as CodeOutput['ci'] };
  let turns = 0;
  // run_checks: push the work so far as one commit, then follow that SHA's checks.
  const runChecks = async (): Promise<string> => {
    if (ci.rounds >= settings.maxCiRounds) {
      return `No CI rounds left (${ci.rounds} used). Finish with what you have.`;
    }
    const changes = await workspace.changes();
    if (changes.size === 0) return 'Nothing to check: no file is changed yet.';
    ci.rounds += 1;
    await progress({ progress: 'ci', files: changes.size, turns });
    const pushed = await pushRound(github, {
      ref,
      branch,
      baseSha: workspace.baseSha,
      baseTreeSha: workspace.baseTreeSha,
      changes,
      modeOf: (p) => workspace.modeOf(p),
      message: commitMessage(`WIP: ${ctx.task.title} (CI round ${ci.rounds})`, null, null, ctx.task.id),
      signal: ctx.signal,
    });
    const verdict = await followChecks(github, ref, pushed.sha, {
      signal: ctx.signal,
      timeoutMs: settings.ciTimeoutMs,
      appearMs: ciTiming.appearMs,
      pollMs: ciTiming.pollMs,
      now,
    });
    ci.last = verdict.state === 'passed' ? 'passed' : verdict.state === 'none' ? 'none' : 'failed';
    log.info({ round: ci.rounds, sha: pushed.sha, ci: verdict.state }, 'CI round ended');
    const left = settings.maxCiRounds - ci.rounds;
    return `${verdict.report}\n\n(${left} CI round(s) left.)`;
  };
  const result = await runToolLoop({
    anthropic: options.anthropic as Anthropic,
    model: settings.model,
    system: await systemPrompt(workspace, settings.guidelines, withCi),
    firstMessage: taskMessage(promptTask(ctx.task, issueNumber)),
    env: {
      workspace,
      policy: { protectedPaths: settings.protectedPaths, maxFilesChanged: settings.maxFilesChanged },
      ...(withCi ? { runChecks } : {}),
    },
    budget: {
      maxTurns: settings.maxTurns,
      maxCostUsd: settings.maxCostUsd,
      deadline: started + settings.timeoutMs,
    },
    signal: ctx.signal,
    onTurn: (usage, files) => {
      turns = usage.turns;
      void progress({ progress: 'editing', files, turns: usage.turns });
    },
    now,
  });
  const { usage, stoppedBy, summary } = result;
  log.info({ turns: usage.turns, costUsd: usage.costUsd, stoppedBy }, 'code agent loop ended');
  const changes = await workspace.changes();
  const base = emptyOutput('builtin', null, settings.repo);
  const tally = {
    summary,
    stoppedBy,
    ci: ci.last,
    turns: usage.turns,
    inputTokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    outputTokens: usage.outputTokens,
    costUsd: usage.costUsd,
  };
  if (changes.size === 0) {
    const reason = stoppedBy
      ? `stopped at ${STOP_WORDS[stoppedBy]} before changing any file`
      : 'the agent made no change, so no pull request was opened';
    return { output: { ...base, ...tally, reason } };
  }
  await progress({ progress: 'publishing', files: changes.size, turns: usage.turns });
  const pushed = await pushRound(github, {
    ref,
    branch,
    baseSha: workspace.baseSha,
    baseTreeSha: workspace.baseTreeSha,
    changes,
    modeOf: (p) => workspace.modeOf(p),
    message: commitMessage(ctx.task.title, summary, stoppedBy, ctx.task.id),
    signal: ctx.signal,
  });
  return {
    pushed: {
      branch: pushed.branch,
      base: workspace.baseBranch,
      sha: pushed.sha,
      files: [...changes.keys()],
      ...tally,
    },
  };
}

function commitMessage(
  title: string,
  summary: string | null,
  stoppedBy: CodeOutput['stoppedBy'],
  taskId: string,
): string {
  const head = `${stoppedBy ? 'WIP: ' : ''}${title.replace(/\s+/g, ' ').trim()}`.slice(0, 72);
  const body = summary?.trim() ? `\n\n${summary.trim()}` : '';
  const stop = stoppedBy ? `\n\nStopped at ${STOP_WORDS[stoppedBy]}.` : '';
  return `${head}${body}${stop}\n\n${trailer(taskId)}\n`;
}

function issueOf(ctx: AgentContext): number | null {
  const ticket = ctx.previous.ticket;
  const n = ticket && ticket.dryRun !== true ? ticket.number : null;
  return typeof n === 'number' ? n : null;
}

function splitRepo(full: string): RepoRef {
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(full);
  if (!match?.[1] || !match[2]) {
    throw new AgentError(`Task repo "${full}" is not of the form owner/repo`, 'permanent');
  }
  return { owner: match[1], repo: match[2] };
}
