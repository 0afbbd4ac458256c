import nlp from 'compromise';
import type { Directory } from './discussion-rules-people.js';
import type { Line } from './discussion-rules-text.js';

/** Who a clause is about: the kinds of owner, the context a clause is read in, names in it. */

export type OwnerRef =
  /** `sure` is false for a guess: "can you…" with no name goes to whoever was just talking. */
  | { kind: 'user'; id: string; sure: boolean }
  /** Named, but nobody of that name is in the thread. */
  | { kind: 'named'; name: string }
  /** "can someone…", "who can…", a role: the first to take it owns it. */
  | { kind: 'open' }
  | { kind: 'none' };

export type ClauseKind =
  | 'commit'
  | 'request'
  | 'listed'
  | 'obligation'
  | 'imperative'
  | 'accept'
  | 'decline'
  | 'done';

export interface Clause {
  kind: ClauseKind;
  /** The words of the work, for the title; empty for accept/decline/done. */
  action: string;
  owner: OwnerRef;
  /** Needs someone to take it (or a deadline, or urgency) before it is a task. */
  weak: boolean;
  /** The work is an earlier ask: "I'll do it", "on it", "Mae, it's yours". */
  refersBack: boolean;
  /** "both", "all of them": every open ask of the message it answers. */
  all: boolean;
  /** An affirmation that takes an ask only when the ask was aimed at its writer ("yep", "👍"). */
  soft: boolean;
  /** Said with "maybe", "I think", "at some point": only an answer makes it a task. */
  hedged: boolean;
}

export interface ClauseContext {
  /** Author of the message. */
  author: string | null;
  directory: Directory;
  line: Line;
  /** Whoever wrote the previous message by someone else: the likely "you". */
  replyTo: string | null;
  /** A person the whole message is addressed to (a leading vocative or the only mention). */
  addressee: OwnerRef | null;
  /** True when the clause ends its sentence with a question mark. */
  question: boolean;
  /** The sentence is sarcastic or a joke (🙃, /s, "what could go wrong" …). */
  sarcastic: boolean;
  /** Pasted text (meeting notes, an email) rather than a thread. */
  pasted: boolean;
}

/** A word that names someone: in the thread (an id) or, capitalised and a name to compromise, not. */
export function ownerOf(word: string, ctx: ClauseContext): OwnerRef | null {
  const clean = word.replace(/^@/, '').replace(/[,:;.!?]+$/, '');
  if (clean.length === 0) return null;
  if (/^(?:me|myself|i)$/i.test(clean))
    return ctx.author ? { kind: 'user', id: ctx.author, sure: true } : null;
  const id = ctx.directory.resolve(clean);
  if (id) return { kind: 'user', id, sure: true };
  if (/^\p{Lu}\p{Ll}+$/u.test(clean) || /^[A-Z]{2,3}$/.test(clean) || /^[A-Z]\.\s?[A-Z][a-z]+$/.test(clean)) {
    const tags = nlp(clean).json()[0]?.terms?.[0]?.tags ?? [];
    if (
      /^[A-Z]{2,3}$/.test(clean) ||
      tags.includes('Person') ||
      tags.includes('ProperNoun') ||
      tags.includes('FirstName')
    ) {
      return { kind: 'named', name: clean };
    }
  }
  return null;
}

const NAME = String.raw`(@?\p{L}[\p{L}\p{N}_.'-]*|\p{Lu}\.\s?\p{Lu}\p{Ll}+)`;

/** Leading "Name," / "Name:" / "@name" before the rest of the clause. */
export function leadingName(
  text: string,
  ctx: ClauseContext,
): { owner: OwnerRef; rest: string; sep: string } | null {
  const m = new RegExp(`^${NAME}\\s*([,:\\u2014\\u2013-]|\\s)\\s*(.+)$`, 'u').exec(text);
  if (!m?.[1] || !m[3] || /^(?:i|me|we|you|they|he|she|it)$/i.test(m[1])) return null;
  const owner = ownerOf(m[1], ctx);
  return owner ? { owner, rest: m[3], sep: (m[2] ?? '').trim() } : null;
}

/** Trailing vocative: "…, Farah?" / "… — Uta?" / "… (Ben)". */
export function trailingName(text: string, ctx: ClauseContext): { owner: OwnerRef; rest: string } | null {
  const m = new RegExp(`^(.+?)\\s*(?:,|[\\u2014\\u2013-]|\\()\\s*${NAME}\\)?\\s*[?.!]*$`, 'u').exec(text);
  if (!m?.[1] || !m[2]) return null;
  const owner = ownerOf(m[2], ctx);
  return owner ? { owner, rest: m[1] } : null;
}

export function clause(
  kind: ClauseKind,
  action: string,
  owner: OwnerRef,
  extra: Partial<Clause> = {},
): Clause {
  return {
    kind,
    action: action.trim(),
    owner,
    weak: false,
    refersBack: false,
    all: false,
    soft: false,
    hedged: false,
    ...extra,
  };
}

/** "ask Dave to X" → X owned by Dave (or, for a team, by whoever asks). */
export function askSomeone(action: string, ctx: ClauseContext): { action: string; owner: OwnerRef } | null {
  const m = /^ask\s+(@?\S+?)\s+to\s+(.+)$/i.exec(action);
  if (!m?.[1] || !m[2]) return null;
  const owner = ownerOf(m[1], ctx);
  return owner ? { action: m[2], owner } : null;
}

/** The owner of an ask that names nobody in its clause: the message's addressee, else a guess. */
export function askOwner(ctx: ClauseContext): OwnerRef {
  if (ctx.addressee) return ctx.addressee;
  return ctx.replyTo ? { kind: 'user', id: ctx.replyTo, sure: false } : { kind: 'open' };
}
