import type { ThreadMessage } from '../domain/extraction.js';
import { placeholderUserId } from './discussion-rules-text.js';

/**
 * Who is in the thread, and which words name them: the display names of those who wrote (full,
 * first word, the part before a dot or a bracket: "tom.h", "Alma (Support)"), labels of mentions
 * written `<@U…|label>`, and mention placeholders. Names that are also ordinary English words
 * ("Will", "May", "Dev") count only when capitalised.
 */

const COMMON_WORDS = new Set([
  'will',
  'may',
  'can',
  'dev',
  'sky',
  'june',
  'pat',
  'max',
  'mark',
  'rose',
  'grace',
  'hope',
  'bill',
  'art',
  'joy',
  'ray',
  'sun',
  'son',
  'ivy',
  'chase',
  'page',
  'rich',
  'faye',
  'me',
  'all',
  'team',
  'ok',
]);

export interface Directory {
  /** user id → display name */
  names: ReadonlyMap<string, string>;
  /** The user id a word names, or null (unknown, or shared by two people). */
  resolve(word: string): string | null;
  /** True when the word names someone in the thread. */
  isName(word: string): boolean;
  nameOf(userId: string): string | undefined;
}

const MENTION = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;

function keysOf(name: string): string[] {
  const lower = name.toLowerCase().trim();
  const keys = new Set<string>([lower]);
  const beforeBracket = lower.split('(')[0]!.trim();
  keys.add(beforeBracket);
  const first = beforeBracket.split(/[\s.]+/)[0];
  if (first) keys.add(first);
  return [...keys].filter((k) => k.length >= 2);
}

export function buildDirectory(messages: readonly ThreadMessage[]): Directory {
  const names = new Map<string, string>();
  const byKey = new Map<string, string | null>();
  const add = (id: string, name: string) => {
    if (!names.has(id)) names.set(id, name);
    for (const key of keysOf(name)) {
      const held = byKey.get(key);
      // A key two people share names neither of them.
      byKey.set(key, held === undefined || held === id ? id : null);
    }
  };
  for (const m of messages) if (m.user) add(m.user, m.userName);
  for (const m of messages) {
    for (const [, id, label] of m.text.matchAll(MENTION)) {
      if (id && label) add(id, label);
      else if (id && !names.has(id)) names.set(id, id);
    }
  }

  const resolve = (word: string): string | null => {
    const placeholder = placeholderUserId(word);
    if (placeholder) return placeholder;
    const clean = word.replace(/^@/, '').replace(/[,:;.!?]+$/, '');
    const lower = clean.toLowerCase();
    if (COMMON_WORDS.has(lower) && !/^[A-Z]/.test(clean)) return null;
    return byKey.get(lower) ?? null;
  };
  return {
    names,
    resolve,
    isName: (word) => resolve(word) !== null,
    nameOf: (id) => names.get(id),
  };
}
