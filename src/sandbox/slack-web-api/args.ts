/** Argument parsing shared by the stand-in's method handlers: zod schemas, Slack's ts ordering, cursors, windows. */

import { z } from 'zod';
import { ApiError, clone, type Json } from './types.js';

export const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata'] as const;

const boolArg = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');
const limitArg = z.coerce.number().int().optional();

export const S = {
  postMessage: z.looseObject({
    channel: z.string().default(''),
    text: z.string().optional(),
    thread_ts: z.string().optional(),
  }),
  update: z.looseObject({
    channel: z.string().default(''),
    ts: z.string().default(''),
    text: z.string().optional(),
  }),
  delete: z.looseObject({ channel: z.string().default(''), ts: z.string().default('') }),
  ephemeral: z.looseObject({
    channel: z.string().default(''),
    user: z.string().default(''),
    text: z.string().optional(),
    thread_ts: z.string().optional(),
  }),
  permalink: z.looseObject({ channel: z.string().default(''), message_ts: z.string().default('') }),
  replies: z.looseObject({
    channel: z.string().default(''),
    ts: z.string().default(''),
    limit: limitArg,
    cursor: z.string().optional(),
    oldest: z.string().optional(),
    latest: z.string().optional(),
    inclusive: boolArg.optional(),
  }),
  history: z.looseObject({
    channel: z.string().default(''),
    limit: limitArg,
    cursor: z.string().optional(),
    oldest: z.string().optional(),
    latest: z.string().optional(),
    inclusive: boolArg.optional(),
  }),
  info: z.looseObject({ channel: z.string().default('') }),
  members: z.looseObject({ channel: z.string().default(''), limit: limitArg, cursor: z.string().optional() }),
  usersInfo: z.looseObject({ user: z.string().default('') }),
  viewsOpen: z.looseObject({
    trigger_id: z.string().optional(),
    interactivity_pointer: z.string().optional(),
  }),
  viewsUpdate: z.looseObject({
    view_id: z.string().optional(),
    external_id: z.string().optional(),
    hash: z.string().optional(),
  }),
  viewsPublish: z.looseObject({ user_id: z.string().default(''), hash: z.string().optional() }),
  response: z.looseObject({
    text: z.string().optional(),
    blocks: z.unknown().optional(),
    response_type: z.enum(['ephemeral', 'in_channel']).optional(),
    replace_original: boolArg.optional(),
    delete_original: boolArg.optional(),
    thread_ts: z.string().optional(),
  }),
};

export function parseArgs<T extends z.ZodType>(schema: T, args: Json): z.output<T> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const messages = result.error.issues.map((i) => `[ERROR] ${i.message} [json-pointer:/${i.path.join('/')}]`);
  throw new ApiError('invalid_arguments', { response_metadata: { messages } });
}

export function tsValue(ts: string): number {
  const [sec = '0', micro = '0'] = ts.split('.');
  return Number(sec) * 1e6 + Number(micro.padEnd(6, '0').slice(0, 6));
}

export function byTs(a: { ts: string }, b: { ts: string }): number {
  return tsValue(a.ts) - tsValue(b.ts);
}

export function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^next_ts:(\d+\.\d+)$/.exec(decoded);
  if (!match?.[1]) throw new ApiError('invalid_cursor');
  return match[1];
}

export function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || limit <= 0) return fallback;
  return Math.min(limit, 1000);
}

export function inWindow(
  ts: string,
  oldest: string | undefined,
  latest: string | undefined,
  inclusive: boolean,
): boolean {
  const v = tsValue(ts);
  if (oldest !== undefined && oldest !== '') {
    const o = tsValue(oldest);
    if (inclusive ? v < o : v <= o) return false;
  }
  if (latest !== undefined && latest !== '') {
    const l = tsValue(latest);
    if (inclusive ? v > l : v >= l) return false;
  }
  return true;
}

/** Calls are recorded with JSON-string fields decoded, so tests can assert on blocks and views directly. */
export function recordable(args: Json): Json {
  const out: Json = { ...args };
  for (const key of JSON_FIELDS) {
    const v = out[key];
    if (typeof v === 'string') {
      try {
        out[key] = JSON.parse(v);
      } catch {
        // keep the raw string: the handler reports the format error
      }
    }
  }
  return clone(out);
}

/** A field that clients may send as a JSON string (form-encoded calls) or as JSON (JSON calls). */
export function jsonArg(args: Json, key: (typeof JSON_FIELDS)[number], error: string): unknown {
  const v = args[key];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new ApiError(error);
  }
}
