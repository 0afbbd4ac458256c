import type { ExtractedTask, Extractor } from '../../src/domain/extraction.js';
import type { EvalConversation } from './dataset.js';
import { aggregate, aggregateBy, type ConversationScore, type Metrics, scoreConversation } from './score.js';

/** Runs an extractor over conversations of the evaluation set and scores what it proposes. */

export interface EvalRun {
  extractor: string;
  scores: ConversationScore[];
  metrics: Metrics;
  byKind: Map<string, Metrics>;
  byLanguage: Map<string, Metrics>;
  /** Conversations whose extraction threw (counted as proposing nothing). */
  failures: Array<{ id: string; error: string }>;
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    costUsd: number | null;
  };
  /** Conversations on which the extractor returned a notice (e.g. "reads English only"). */
  notices: number;
}

export async function runEval(
  extractor: Extractor,
  conversations: readonly EvalConversation[],
  options: { concurrency?: number } = {},
): Promise<EvalRun> {
  const scores: ConversationScore[] = new Array(conversations.length);
  const failures: EvalRun['failures'] = [];
  const usage: EvalRun['usage'] = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
  };
  let notices = 0;
  let next = 0;
  const worker = async () => {
    while (next < conversations.length) {
      const index = next++;
      const conversation = conversations[index]!;
      let tasks: ExtractedTask[] = [];
      try {
        const result = await extractor.extract({
          messages: conversation.messages.map(({ id: _id, ...m }) => m),
          source: conversation.source,
        });
        tasks = result.tasks;
        if (result.notice) notices++;
        usage.inputTokens += result.usage.inputTokens;
        usage.outputTokens += result.usage.outputTokens;
        usage.cacheReadTokens += result.usage.cacheReadTokens ?? 0;
        usage.cacheWriteTokens += result.usage.cacheWriteTokens ?? 0;
        const cost = result.usage.costUsd;
        usage.costUsd = cost === null || usage.costUsd === null ? null : usage.costUsd + (cost ?? 0);
      } catch (error) {
        failures.push({ id: conversation.id, error: error instanceof Error ? error.message : String(error) });
      }
      scores[index] = scoreConversation(conversation, tasks);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  return {
    extractor: extractor.name,
    scores,
    metrics: aggregate(scores),
    byKind: aggregateBy(scores, (c) => c.kind),
    byLanguage: aggregateBy(scores, (c) => c.lang),
    failures,
    usage,
    notices,
  };
}
