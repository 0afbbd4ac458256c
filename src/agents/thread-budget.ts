import type { ThreadMessage } from '../domain/extraction.js';

/**
 * Fits a thread into a token budget before it is sent to the model.
 *
 * Tokens are estimated, not counted: ~4 characters per token is Anthropic's own rule of thumb for
 * English text, it needs no tokenizer and no API call, and an estimate is enough to keep a long
 * thread well under the context window. Code and non-Latin text tokenize denser, so the default
 * budget leaves generous headroom below the model's limit.
 */

export const DEFAULT_THREAD_BUDGET_TOKENS = 24_000;
export const CHARS_PER_TOKEN = 4;
/** The `[M12] Name (U0123ABC):` header and line break each message gets in the prompt. */
export const MESSAGE_OVERHEAD_TOKENS = 8;
/** Appended to a message whose text was cut. */
export const CUT_MARK = ' [… message cut]';
/** Below this much room, cutting the newest message would leave nothing worth reading. */
const MIN_USEFUL_TOKENS = 32;

export interface FittedThread {
  messages: ThreadMessage[];
  /** True when any message was left out or cut. */
  truncated: boolean;
  /** How many messages were left out (between the first one and the newest kept ones). */
  omitted: number;
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateMessageTokens(message: ThreadMessage): number {
  return estimateTokens(message.userName) + estimateTokens(message.text) + MESSAGE_OVERHEAD_TOKENS;
}

/** Cuts the message's text so the whole message costs at most `maxTokens`. */
function cutMessage(message: ThreadMessage, maxTokens: number): ThreadMessage {
  if (estimateMessageTokens(message) <= maxTokens) return message;
  const room = maxTokens - estimateTokens(message.userName) - MESSAGE_OVERHEAD_TOKENS;
  const maxChars = Math.max(0, room * CHARS_PER_TOKEN - CUT_MARK.length);
  return { ...message, text: `${message.text.slice(0, maxChars).trimEnd()}${CUT_MARK}` };
}

/**
 * Keeps the first message (it usually states the topic) and as many of the newest messages as fit
 * (where the decisions usually are); the messages in between are dropped. A single message too
 * long for the budget is cut rather than dropped.
 */
export function fitToBudget(messages: ThreadMessage[], budgetTokens: number): FittedThread {
  const budget = Math.max(1, Math.floor(budgetTokens));
  const [first, ...rest] = messages;
  if (!first) return { messages: [], truncated: false, omitted: 0 };

  const costs = rest.map(estimateMessageTokens);
  const restTotal = costs.reduce((a, b) => a + b, 0);
  if (estimateMessageTokens(first) + restTotal <= budget) {
    return { messages: [...messages], truncated: false, omitted: 0 };
  }

  // The first message may take what the rest does not need, but never more than half the budget
  // when there is a rest competing for it.
  const firstShare = rest.length === 0 ? budget : Math.max(Math.floor(budget / 2), budget - restTotal);
  const keptFirst = cutMessage(first, firstShare);
  let remaining = budget - estimateMessageTokens(keptFirst);

  const tail: ThreadMessage[] = [];
  for (let i = rest.length - 1; i >= 0; i--) {
    const message = rest[i]!;
    const cost = costs[i]!;
    if (cost <= remaining) {
      tail.unshift(message);
      remaining -= cost;
      continue;
    }
    // The newest message alone does not fit: keep its beginning rather than nothing at all.
    if (tail.length === 0 && remaining >= MIN_USEFUL_TOKENS + MESSAGE_OVERHEAD_TOKENS) {
      tail.unshift(cutMessage(message, remaining));
    }
    break;
  }

  return { messages: [keptFirst, ...tail], truncated: true, omitted: rest.length - tail.length };
}
