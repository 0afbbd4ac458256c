import { describe, expect, it } from 'vitest';
import {
  CUT_MARK,
  estimateMessageTokens,
  estimateTokens,
  fitToBudget,
} from '../../src/agents/thread-budget.js';
import type { ThreadMessage } from '../../src/domain/extraction.js';

function message(i: number, text: string): ThreadMessage {
  return {
    ts: `1700000000.${String(i).padStart(6, '0')}`,
    user: `U${i}`,
    userName: `user${i}`,
    text,
    permalink: null,
  };
}

/** A thread of `count` messages of about `tokens` estimated tokens each. */
function thread(count: number, chars = 400): ThreadMessage[] {
  return Array.from({ length: count }, (_, i) => message(i, `message ${i} `.padEnd(chars, 'x')));
}

const cost = (messages: ThreadMessage[]) => messages.reduce((sum, m) => sum + estimateMessageTokens(m), 0);

describe('estimateTokens', () => {
  it('counts about four characters per token, rounding up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(4000))).toBe(1000);
  });
});

describe('fitToBudget', () => {
  it('returns a thread that fits unchanged', () => {
    const messages = thread(5);
    const fitted = fitToBudget(messages, cost(messages));
    expect(fitted).toEqual({ messages, truncated: false, omitted: 0 });
  });

  it('returns nothing for an empty thread', () => {
    expect(fitToBudget([], 100)).toEqual({ messages: [], truncated: false, omitted: 0 });
  });

  it('keeps the first message and the newest that fit, and counts the omitted ones', () => {
    const messages = thread(20); // each ~ 100 + 2 + 8 tokens
    const each = estimateMessageTokens(messages[1]!);
    const fitted = fitToBudget(messages, each * 6 + 5);

    expect(fitted.truncated).toBe(true);
    expect(fitted.messages).toHaveLength(6);
    expect(fitted.messages[0]).toBe(messages[0]);
    expect(fitted.messages.slice(1)).toEqual(messages.slice(15));
    expect(fitted.omitted).toBe(14);
    expect(cost(fitted.messages)).toBeLessThanOrEqual(each * 6 + 5);
  });

  it('keeps the messages in thread order', () => {
    const fitted = fitToBudget(thread(30), 1000);
    const order = fitted.messages.map((m) => m.ts);
    expect(order).toEqual([...order].sort());
  });

  it('cuts an over-long first message instead of letting it eat the whole budget', () => {
    const messages = [message(0, 'y'.repeat(40_000)), ...thread(10).slice(1)];
    const fitted = fitToBudget(messages, 2000);

    expect(fitted.truncated).toBe(true);
    expect(fitted.messages[0]!.text.endsWith(CUT_MARK)).toBe(true);
    expect(fitted.messages[0]!.text.startsWith('yyyy')).toBe(true);
    // The first message takes what the nine small ones leave over: they all fit.
    expect(fitted.messages).toHaveLength(10);
    expect(estimateMessageTokens(fitted.messages[0]!)).toBeLessThanOrEqual(2000 - cost(messages.slice(1)));
    expect(fitted.omitted).toBe(0);
    expect(cost(fitted.messages)).toBeLessThanOrEqual(2000);
  });

  it('gives an over-long first message at most half the budget when the rest needs more', () => {
    const messages = [message(0, 'y'.repeat(40_000)), ...thread(40).slice(1)];
    const fitted = fitToBudget(messages, 2000);
    expect(estimateMessageTokens(fitted.messages[0]!)).toBeLessThanOrEqual(1000);
    expect(fitted.messages.length).toBeGreaterThan(5);
    expect(fitted.messages.at(-1)).toBe(messages.at(-1));
    expect(fitted.omitted).toBe(messages.length - fitted.messages.length);
    expect(cost(fitted.messages)).toBeLessThanOrEqual(2000);
  });

  it('cuts a single over-long message to the budget', () => {
    const fitted = fitToBudget([message(0, 'z'.repeat(100_000))], 500);
    expect(fitted.truncated).toBe(true);
    expect(fitted.omitted).toBe(0);
    expect(fitted.messages).toHaveLength(1);
    expect(estimateMessageTokens(fitted.messages[0]!)).toBeLessThanOrEqual(500);
    expect(fitted.messages[0]!.text.length).toBeGreaterThan(1500);
  });

  it('cuts the newest message rather than dropping every message after the first', () => {
    const messages = [message(0, 'topic'), message(1, 'old'), message(2, 'w'.repeat(20_000))];
    const fitted = fitToBudget(messages, 1000);
    expect(fitted.messages.map((m) => m.ts)).toEqual([messages[0]!.ts, messages[2]!.ts]);
    expect(fitted.messages[1]!.text.endsWith(CUT_MARK)).toBe(true);
    expect(fitted.omitted).toBe(1);
    expect(cost(fitted.messages)).toBeLessThanOrEqual(1000);
  });

  it('does not change the messages it was given', () => {
    const messages = [message(0, 'q'.repeat(10_000)), message(1, 'short')];
    const before = structuredClone(messages);
    fitToBudget(messages, 300);
    expect(messages).toEqual(before);
  });
});
