import type { ExtractionUsage } from '../domain/extraction.js';

/**
 * What an extraction cost, from Anthropic's list prices (USD per million tokens; prompt-cache
 * writes at 1.25× and reads at 0.1× the input price, for the 5-minute cache we use). Source:
 * Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing), read 2026-12.
 * Models not listed get no price (cost shown as unknown) rather than a guess.
 */

interface Price {
  input: number;
  output: number;
}

/** Longest matching prefix wins, so dated ids ("claude-sonnet-4-5-20250929") find their family. */
const PRICES: ReadonlyArray<readonly [prefix: string, price: Price]> = [
  ['claude-opus-5', { input: 5, output: 25 }],
  ['claude-opus-4-8', { input: 5, output: 25 }],
  ['claude-opus-4-7', { input: 5, output: 25 }],
  ['claude-opus-4-6', { input: 5, output: 25 }],
  ['claude-opus-4-5', { input: 5, output: 25 }],
  ['claude-opus-4-1', { input: 15, output: 75 }],
  ['claude-opus-4', { input: 15, output: 75 }],
  ['claude-sonnet-4-6', { input: 3, output: 15 }],
  ['claude-sonnet-4-5', { input: 3, output: 15 }],
  ['claude-sonnet-4', { input: 3, output: 15 }],
  ['claude-3-7-sonnet', { input: 3, output: 15 }],
  ['claude-haiku-4-5', { input: 1, output: 5 }],
  ['claude-3-5-haiku', { input: 0.8, output: 4 }],
  ['claude-3-haiku', { input: 0.25, output: 1.25 }],
];

const CACHE_WRITE = 1.25;
const CACHE_READ = 0.1;

export function priceOf(model: string): Price | null {
  let best: readonly [string, Price] | null = null;
  for (const entry of PRICES) {
    if (model.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  // "claude-opus-4" must not price "claude-opus-4-9" (a newer model at another price).
  if (best && model.length > best[0].length && /^-\d(?:\D|$)/.test(model.slice(best[0].length))) return null;
  return best ? best[1] : null;
}

/** USD for the usage, rounded to a millionth of a dollar; null when the model's price is unknown. */
export function costOf(model: string, usage: Omit<ExtractionUsage, 'costUsd'>): number | null {
  const price = priceOf(model);
  if (!price) return null;
  const dollars =
    (usage.inputTokens * price.input +
      (usage.cacheWriteTokens ?? 0) * price.input * CACHE_WRITE +
      (usage.cacheReadTokens ?? 0) * price.input * CACHE_READ +
      usage.outputTokens * price.output) /
    1_000_000;
  return Math.round(dollars * 1_000_000) / 1_000_000;
}
