import type Anthropic from '@anthropic-ai/sdk';
import type { AgentTask } from '../types.js';
import { truncate } from './tools.js';
import type { RepoWorkspace } from './workspace.js';

/**
 * What the model is told. Only: the approved task's fields, the channel's guidelines and the
 * repository's own instruction files. Never the thread's raw text (the task's `evidence` quote
 * included), tokens or other secrets: those are not even passed to this module.
 */

export const INSTRUCTION_FILES = ['CLAUDE.md', 'AGENTS.md', '.github/copilot-instructions.md'] as const;
/** Each instruction file is cut to this many characters. */
const MAX_INSTRUCTIONS = 12_000;

export interface PromptTask {
  title: string;
  description: string;
  acceptanceCriteria: readonly string[];
  issueNumber: number | null;
}

export function promptTask(task: AgentTask, issueNumber: number | null): PromptTask {
  return {
    title: task.title,
    description: task.description,
    acceptanceCriteria: task.acceptanceCriteria,
    issueNumber,
  };
}

export async function systemPrompt(
  workspace: RepoWorkspace,
  guidelines: string | null,
  withChecks: boolean,
): Promise<Anthropic.Messages.TextBlockParam[]> {
  const parts = [
    `You are a careful software engineer making one change to the repository ${workspace.ref.owner}/${workspace.ref.repo} (branch ${workspace.baseBranch}). You work only through the tools: read before you edit, keep the change small and in the style of the code around it, and add or update tests where the repository has them.`,
    'Nothing you write runs on this machine. ' +
      (withChecks
        ? "When the change is complete, call run_checks to run the repository's own CI on it, and fix what fails."
        : 'There is no CI to run here; review your change by viewing the edited files.') +
      ' When done, call finish with a short summary for the pull request. If the task cannot be done, call finish and explain why, without changing files.',
    'Some paths are protected and refused (CI workflows); files over 1 MB and binary files cannot be edited; the number of changed files is limited. A refusal is final: do not try to work around it.',
  ];
  if (guidelines?.trim()) parts.push(`Team guidelines:\n${guidelines.trim()}`);
  for (const file of INSTRUCTION_FILES) {
    const text = await workspace.readOptional(file);
    if (text?.trim()) {
      parts.push(
        `The repository's ${file}:\n<instructions file="${file}">\n${truncate(text.trim(), MAX_INSTRUCTIONS)}\n</instructions>`,
      );
    }
  }
  // One block, cached: it stays the same for every turn of the run.
  return [{ type: 'text', text: parts.join('\n\n'), cache_control: { type: 'ephemeral' } }];
}

export function taskMessage(task: PromptTask): string {
  const lines = [`Task: ${task.title.trim()}`];
  if (task.issueNumber != null) lines.push(`GitHub issue: #${task.issueNumber}`);
  if (task.description.trim()) lines.push('', 'Description:', task.description.trim());
  if (task.acceptanceCriteria.length > 0) {
    lines.push('', 'Acceptance criteria:', ...task.acceptanceCriteria.map((c) => `- ${c.trim()}`));
  }
  return lines.join('\n');
}
