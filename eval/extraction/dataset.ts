import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ThreadMessage } from '../../src/domain/extraction.js';

/**
 * The labelled evaluation set for task extraction: YAML files under `conversations/dev` and
 * `conversations/heldout`, checked with the zod schema below (format and annotation rules: README.md).
 *
 * A message is written as one string, `m3 U01ANNA: text`, optionally with a time after the user
 * (`m3 U01ANNA +2h: …`, `m3 U01ANNA 2026-11-25T08:30: …`); without one it comes two minutes after
 * the previous message. Message times matter: deadlines ("by Friday") are dates relative to them.
 */

export const SPLITS = ['dev', 'heldout'] as const;
export type Split = (typeof SPLITS)[number];

export const KINDS = [
  'incident',
  'planning',
  'code-review',
  'support',
  'release',
  'meeting-notes',
  'email',
  'standup',
  'design',
  'social',
] as const;

const USER_ID = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U01ANNA');
const MESSAGE_ID = z.string().regex(/^m\d+$/, 'a message id such as m3');
const ISO_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

const goldItemSchema = z.strictObject({
  /** For people reading the file and the report; not scored. */
  title: z.string().min(3),
  /** The message(s) that ask for, commit to or decide the work; a task citing any of them matches. */
  evidence: z.array(MESSAGE_ID).min(1),
  /**
   * Words that state the item, verbatim from one of its evidence messages. Required when one
   * message holds several items: a task citing a message that contains the span matches only if
   * its quote overlaps the span.
   */
  span: z.string().min(3).optional(),
  /** User id of whoever took the work on or was asked to; null when nobody or nobody with an id. */
  owner: USER_ID.nullable(),
  /** Resolved against the evidence message's date (README: deadline conventions); null when none or vague. */
  deadline: ISO_DATE.nullable(),
  /** Free-text note for readers: why this is (or how it differs from) an item. */
  note: z.string().optional(),
});

const conversationSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  kind: z.enum(KINDS),
  lang: z.enum(['en', 'de', 'ja']).default('en'),
  /** `thread`: a Slack thread; `text`: text pasted into `/extract <text>` (one message). */
  source: z.enum(['thread', 'text']).default('thread'),
  /** Time of the first message (UTC). */
  start: z.iso.datetime(),
  /** Everyone who writes or is mentioned: user id → display name. */
  people: z.record(USER_ID, z.string().min(1)),
  messages: z.array(z.string()).min(1),
  items: z.array(goldItemSchema).default([]),
  note: z.string().optional(),
});

const fileSchema = z.strictObject({
  split: z.enum(SPLITS),
  /** How this batch was written (voice, shapes), for readers. */
  about: z.string().min(10),
  conversations: z.array(conversationSchema).min(1),
});

export type GoldItem = z.output<typeof goldItemSchema>;

export interface EvalMessage extends ThreadMessage {
  /** The id used in the file (m1, m2 …). */
  id: string;
}

export interface EvalConversation {
  id: string;
  file: string;
  split: Split;
  kind: (typeof KINDS)[number];
  lang: 'en' | 'de' | 'ja';
  source: 'thread' | 'text';
  people: Record<string, string>;
  messages: EvalMessage[];
  items: GoldItem[];
}

const MESSAGE_LINE =
  /^(m\d+)\s+([UW][A-Z0-9]+)(?:\s+(\+\d+[mhd]|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}))?:[ \t]?([\s\S]*)$/;
const STEP_MS = 2 * 60 * 1000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Slack's ts for a time: seconds with six decimals. */
function toTs(ms: number, seq: number): string {
  return `${Math.floor(ms / 1000)}.${String(seq).padStart(6, '0')}`;
}

function parseMessages(raw: z.output<typeof conversationSchema>, where: string): EvalMessage[] {
  let at = Date.parse(raw.start) - STEP_MS;
  return raw.messages.map((line, index) => {
    const match = MESSAGE_LINE.exec(line.replace(/\n$/, ''));
    if (!match) throw new DatasetError(`${where}: message ${index + 1} is not "mN UXXX: text": ${line}`);
    const [, id, user, time, text] = match as unknown as [string, string, string, string | undefined, string];
    if (id !== `m${index + 1}`) throw new DatasetError(`${where}: message ${index + 1} is numbered ${id}`);
    const name = raw.people[user];
    if (!name) throw new DatasetError(`${where}: ${id} is by ${user}, who is not in people`);
    if (!time) at += STEP_MS;
    else if (time.startsWith('+')) at += Number(time.slice(1, -1)) * UNIT_MS[time.slice(-1)]!;
    else at = Date.parse(`${time}:00Z`);
    if (text.trim().length === 0) throw new DatasetError(`${where}: ${id} is empty`);
    return { id, ts: toTs(at, index + 1), user, userName: name, text: text.trimEnd(), permalink: null };
  });
}

function checkItems(conv: EvalConversation, where: string): void {
  const ids = new Set(conv.messages.map((m) => m.id));
  const perMessage = new Map<string, number>();
  for (const item of conv.items) {
    for (const ev of item.evidence) {
      if (!ids.has(ev))
        throw new DatasetError(`${where}: item "${item.title}" cites ${ev}, which is not there`);
      perMessage.set(ev, (perMessage.get(ev) ?? 0) + 1);
    }
    if (item.owner && !conv.people[item.owner]) {
      throw new DatasetError(
        `${where}: item "${item.title}" is owned by ${item.owner}, who is not in people`,
      );
    }
    if (item.span) {
      const span = item.span;
      const holders = conv.messages.filter((m) => item.evidence.includes(m.id) && m.text.includes(span));
      if (holders.length === 0) {
        throw new DatasetError(`${where}: span of "${item.title}" is in none of its evidence messages`);
      }
    }
  }
  for (const item of conv.items) {
    if (!item.span && item.evidence.some((ev) => (perMessage.get(ev) ?? 0) > 1)) {
      throw new DatasetError(`${where}: "${item.title}" shares a message with another item and needs a span`);
    }
  }
}

export function parseDatasetFile(text: string, file: string): EvalConversation[] {
  const parsed = fileSchema.safeParse(parseYaml(text));
  if (!parsed.success) throw new DatasetError(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.conversations.map((raw) => {
    const where = `${file} ${raw.id}`;
    const conv: EvalConversation = {
      id: raw.id,
      file,
      split: parsed.data.split,
      kind: raw.kind,
      lang: raw.lang,
      source: raw.source,
      people: raw.people,
      messages: parseMessages(raw, where),
      items: raw.items,
    };
    if (conv.source === 'text' && conv.messages.length !== 1) {
      throw new DatasetError(`${where}: pasted text is one message`);
    }
    checkItems(conv, where);
    return conv;
  });
}

export const DATA_DIR = new URL('./conversations/', import.meta.url).pathname;

/** Every conversation of the given splits, in file order; ids are unique across the set. */
export function loadDataset(splits: readonly Split[] = SPLITS, dir = DATA_DIR): EvalConversation[] {
  const all: EvalConversation[] = [];
  for (const split of splits) {
    const folder = join(dir, split);
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    for (const f of files) {
      const conversations = parseDatasetFile(readFileSync(join(folder, f), 'utf8'), `${split}/${f}`);
      for (const c of conversations) {
        if (c.split !== split) throw new DatasetError(`${split}/${f}: says split ${c.split}`);
      }
      all.push(...conversations);
    }
  }
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new DatasetError(`conversation id ${c.id} is used twice`);
    seen.add(c.id);
  }
  return all;
}
