import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger.js';

/**
 * Which Claude model to use, and whether the configured one is still served. The installed SDK
 * carries Anthropic's deprecation table (model → end-of-life date); it prints its warning to the
 * console on every call, so we read the same table once at start-up and say it through pino.
 */

/** A current model: listed by the installed SDK, and not in its deprecation table. */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-6';

export type ModelStatus =
  | { kind: 'current' }
  /** Still served; `endOfLife` is an ISO date (YYYY-MM-DD). */
  | { kind: 'deprecated'; endOfLife: string }
  /** Past its end of life: the API refuses it. */
  | { kind: 'retired'; endOfLife: string };

/**
 * The SDK's table (`internal/data/deprecated-models`), read from the installed package. It is
 * not among the package's exports, so it is loaded by path next to the SDK's entry point; an
 * SDK without it gives an empty table (nothing is reported deprecated).
 */
export function sdkDeprecatedModels(): Readonly<Record<string, string>> {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@anthropic-ai/sdk');
    const data: unknown = require(join(dirname(entry), 'internal', 'data', 'deprecated-models.js'));
    const table =
      typeof data === 'object' && data !== null && 'DEPRECATED_MODELS' in data
        ? data.DEPRECATED_MODELS
        : null;
    if (typeof table !== 'object' || table === null) return {};
    return Object.fromEntries(
      Object.entries(table).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "November 30th, 2026" (the SDK's wording) or "2026-11-30" → "2026-11-30"; null if neither. */
export function parseEndOfLife(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (iso) return iso[0];
  const spoken = /^([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/i.exec(text.trim());
  if (!spoken) return null;
  const month = MONTHS.indexOf((spoken[1] ?? '').toLowerCase());
  if (month < 0) return null;
  const day = Number(spoken[2]);
  return `${spoken[3]}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Retired from the start (UTC) of its end-of-life day. */
export function modelStatus(
  model: string,
  now: Date = new Date(),
  table: Readonly<Record<string, string>> = sdkDeprecatedModels(),
): ModelStatus {
  const said = Object.hasOwn(table, model) ? table[model] : undefined;
  if (said === undefined) return { kind: 'current' };
  const endOfLife = parseEndOfLife(said);
  // A date we cannot read: still deprecated, and the SDK's own words say when.
  if (endOfLife === null) return { kind: 'deprecated', endOfLife: said };
  return now.getTime() >= Date.parse(`${endOfLife}T00:00:00Z`)
    ? { kind: 'retired', endOfLife }
    : { kind: 'deprecated', endOfLife };
}

/** Start-up check: a warning for a deprecated model, an error for one past its end of life. */
export function reportModelStatus(
  model: string,
  logger: Logger,
  now: Date = new Date(),
  table?: Readonly<Record<string, string>>,
): ModelStatus {
  const status = modelStatus(model, now, table);
  const fix = `set ANTHROPIC_MODEL to a current model (${DEFAULT_ANTHROPIC_MODEL}, for example)`;
  if (status.kind === 'deprecated') {
    logger.warn(
      { model, endOfLife: status.endOfLife },
      `The Claude model ${model} is deprecated and reaches its end of life on ${status.endOfLife}: ${fix}.`,
    );
  } else if (status.kind === 'retired') {
    logger.error(
      { model, endOfLife: status.endOfLife },
      `The Claude model ${model} reached its end of life on ${status.endOfLife} and extraction with it will fail: ${fix}.`,
    );
  }
  return status;
}
