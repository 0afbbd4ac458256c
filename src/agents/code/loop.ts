import type Anthropic from '@anthropic-ai/sdk';
import { costOf } from '../discussion-pricing.js';
import { runTool, type ToolEnv, toolDefinitions } from './tools.js';

/**
 * The tool-use loop: ask the model, run the tools it calls, send back the results, until it calls
 * `finish` or a budget runs out (turns, dollars, wall clock). Budgets are checked before every
 * model call, so a run never starts a turn it cannot pay for; the caller pushes what exists.
 */

export type StopReason = 'turns' | 'cost' | 'time';

export interface LoopBudget {
  maxTurns: number;
  maxCostUsd: number;
  /** Epoch ms after which no new turn starts. */
  deadline: number;
}

export interface LoopUsage {
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

export interface LoopResult {
  /** From `finish` (or the model's last words when it ended without calling it). */
  summary: string | null;
  stoppedBy: StopReason | null;
  usage: LoopUsage;
}

export interface LoopOptions {
  anthropic: Anthropic;
  model: string;
  system: Anthropic.Messages.TextBlockParam[];
  firstMessage: string;
  env: ToolEnv;
  budget: LoopBudget;
  signal: AbortSignal;
  /** After each turn: files changed so far (for the card). */
  onTurn?: (usage: LoopUsage, changedFiles: number) => void;
  now?: () => number;
}

/** Output tokens per turn: enough for a whole new file of moderate size. */
const MAX_OUTPUT_TOKENS = 8192;
/**
 * A model missing from the price table is charged as the dearest one listed, so an unknown
 * price can never switch the dollar budget off.
 */
const FALLBACK_PRICE_MODEL = 'claude-opus-4-1';

export async function runToolLoop(options: LoopOptions): Promise<LoopResult> {
  const { anthropic, model, env, budget, signal } = options;
  const now = options.now ?? Date.now;
  const tools = toolDefinitions(Boolean(env.runChecks));
  const messages: Anthropic.Messages.MessageParam[] = [{ role: 'user', content: options.firstMessage }];
  const usage: LoopUsage = {
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    costUsd: 0,
  };
  const changed = new Set<string>();

  for (;;) {
    const stop = overBudget(usage, budget, now());
    if (stop) return { summary: null, stoppedBy: stop, usage };
    const response = await anthropic.messages.create(
      {
        model,
        max_tokens: MAX_OUTPUT_TOKENS,
        system: options.system,
        tools,
        messages: withCachePoint(messages),
      },
      { signal },
    );
    usage.turns += 1;
    addUsage(usage, model, response.usage);
    messages.push({ role: 'assistant', content: response.content as Anthropic.Messages.ContentBlockParam[] });

    const calls = response.content.filter((b): b is Anthropic.Messages.ToolUseBlock => b.type === 'tool_use');
    if (calls.length === 0) {
      // Ended without `finish`: its last words are the summary; nothing more will come.
      const text = response.content
        .filter((b): b is Anthropic.Messages.TextBlock => b.type === 'text')
        .map((b) => b.text)
        .join('\n')
        .trim();
      options.onTurn?.(usage, changed.size);
      return { summary: text || null, stoppedBy: null, usage };
    }
    const results: Anthropic.Messages.ToolResultBlockParam[] = [];
    let finished: { summary: string } | undefined;
    for (const call of calls) {
      const outcome = await runTool(env, call.name, call.input);
      if (outcome.changed) changed.add(outcome.changed);
      if (outcome.finished) finished = outcome.finished;
      results.push({
        type: 'tool_result',
        tool_use_id: call.id,
        content: outcome.content,
        ...(outcome.isError ? { is_error: true } : {}),
      });
    }
    options.onTurn?.(usage, changed.size);
    if (finished) return { summary: finished.summary, stoppedBy: null, usage };
    messages.push({ role: 'user', content: results });
  }
}

function overBudget(usage: LoopUsage, budget: LoopBudget, at: number): StopReason | null {
  if (usage.turns >= budget.maxTurns) return 'turns';
  if (usage.costUsd >= budget.maxCostUsd) return 'cost';
  if (at >= budget.deadline) return 'time';
  return null;
}

function addUsage(usage: LoopUsage, model: string, u: Anthropic.Messages.Usage): void {
  usage.inputTokens += u.input_tokens;
  usage.outputTokens += u.output_tokens;
  usage.cacheWriteTokens += u.cache_creation_input_tokens ?? 0;
  usage.cacheReadTokens += u.cache_read_input_tokens ?? 0;
  const tokens = {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    cacheReadTokens: usage.cacheReadTokens,
  };
  usage.costUsd = costOf(model, tokens) ?? costOf(FALLBACK_PRICE_MODEL, tokens) ?? 0;
}

/**
 * The conversation with a cache point on its newest message: each turn then reads the whole
 * prefix from the cache (system and tools carry their own points; 3 of the API's 4 in use).
 */
function withCachePoint(messages: Anthropic.Messages.MessageParam[]): Anthropic.Messages.MessageParam[] {
  const last = messages[messages.length - 1];
  if (last?.role !== 'user') return messages;
  const content: Anthropic.Messages.ContentBlockParam[] =
    typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const tail = content[content.length - 1];
  if (!tail) return messages;
  content[content.length - 1] = {
    ...tail,
    cache_control: { type: 'ephemeral' },
  } as Anthropic.Messages.ContentBlockParam;
  return [...messages.slice(0, -1), { role: 'user', content }];
}
