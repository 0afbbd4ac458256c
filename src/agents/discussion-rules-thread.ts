import type { ThreadMessage } from '../domain/extraction.js';
import type { Clause, OwnerRef } from './discussion-rules-clauses.js';
import type { Deadline } from './discussion-rules-deadline.js';

/**
 * The conversation around each ask: who took it ("on it", "I'll do it", "that's me"), who turned it
 * down ("not me"), whether it was done before the thread ended ("done, refunded"), and which
 * mentions are one item said twice ("we need an alert on 5xx" … "I'll add the 5xx alert").
 */

export interface Candidate {
  clause: Clause;
  message: ThreadMessage;
  messageIndex: number;
  /** Position of the clause among all clauses of the thread. */
  order: number;
  sentence: string;
  /** The words quoted as evidence: the clause when its sentence holds several, else the sentence. */
  quote: string;
  /** The sentence before, in the same line: what "who wants to own that?" is about. */
  previousSentence: string | null;
  line: string;
  owner: OwnerRef;
  weak: boolean;
  deadline: Deadline | null;
  evidenceTs: string[];
  /** Taken on by someone after it was said. */
  accepted: boolean;
  /** Done in the thread, merged into another candidate, or otherwise not a task. */
  closed: boolean;
  /** Words that raise its priority or make a weak obligation a task ("asap", "blocker"). */
  urgent: boolean;
}

export interface Answer {
  clause: Clause;
  message: ThreadMessage;
  messageIndex: number;
  order: number;
  deadline: Deadline | null;
}

/** How far back an answer looks for the ask it answers, in messages. */
const ANSWER_REACH = 5;

function ownerRank(owner: OwnerRef): number {
  switch (owner.kind) {
    case 'user':
      return owner.sure ? 4 : 2;
    case 'named':
      return 3;
    case 'open':
      return 1;
    default:
      return 0;
  }
}

/** Can `who` take this ask? Not when it was asked of somebody else by name. */
function takeableBy(c: Candidate, who: string, soft: boolean): boolean {
  if (c.closed || c.message.user === who) return false;
  const o = c.owner;
  if (o.kind === 'user' && o.id === who) return true;
  if (soft) return false;
  if (o.kind === 'user') return !o.sure;
  return o.kind === 'open' || o.kind === 'none' || o.kind === 'named';
}

function take(c: Candidate, answer: Answer, who: string): void {
  c.owner = { kind: 'user', id: who, sure: true };
  c.accepted = true;
  c.weak = false;
  if (!c.evidenceTs.includes(answer.message.ts)) c.evidenceTs.push(answer.message.ts);
  if (!c.deadline && answer.deadline) c.deadline = answer.deadline;
}

/** The asks an answer is about: the nearest message before it that holds any it may take. */
function targetsOf(
  candidates: readonly Candidate[],
  answer: Answer,
  filter: (c: Candidate) => boolean,
): Candidate[] {
  const earlier = candidates.filter(
    (c) => c.order < answer.order && answer.messageIndex - c.messageIndex <= ANSWER_REACH && filter(c),
  );
  if (earlier.length === 0) return [];
  const nearest = Math.max(...earlier.map((c) => c.messageIndex));
  return earlier.filter((c) => c.messageIndex === nearest);
}

/** Applies one answer (accept, decline, done, or an "I'll do it") to the asks before it. */
export function applyAnswer(candidates: Candidate[], answer: Answer): boolean {
  const who = answer.message.user;
  if (!who) return false;
  const { clause } = answer;
  if (clause.kind === 'decline') {
    for (const c of candidates) {
      if (c.order < answer.order && c.owner.kind === 'user' && c.owner.id === who && !c.accepted) {
        c.owner = { kind: 'open' };
      }
    }
    return true;
  }
  if (clause.kind === 'done') {
    const targets = targetsOf(
      candidates,
      answer,
      (c) =>
        !c.closed &&
        (c.clause.kind !== 'commit' || c.message.user === who) &&
        (takeableBy(c, who, false) ||
          c.message.user === who ||
          (c.owner.kind === 'user' && c.owner.id === who)),
    );
    // "done" alone is about the last ask; "rolled back, errors gone" only about an ask it names.
    const said = contentWords(answer.message.text);
    const terse = answer.message.text.trim().split(/\s+/).length <= 3;
    const mine = (c: Candidate) => c.owner.kind === 'user' && c.owner.id === who;
    const fits = targets.filter(
      (c) => terse || mine(c) || [...contentWords(c.clause.action)].some((w) => said.has(w)),
    );
    const first = fits.find((c) => c.owner.kind === 'user' && c.owner.id === who) ?? fits[0];
    if (first) first.closed = true;
    return true;
  }
  // "Walt, can you grant it?": the ask before it is Walt's now, not its writer's.
  if (clause.kind === 'request') {
    const earlier = candidates.filter(
      (c) => c.order < answer.order && !c.closed && c.messageIndex === answer.messageIndex,
    );
    const target = earlier.at(-1);
    if (!target) return false;
    target.owner = clause.owner;
    target.weak = false;
    if (!target.evidenceTs.includes(answer.message.ts)) target.evidenceTs.push(answer.message.ts);
    target.deadline ??= answer.deadline;
    return true;
  }
  const soft = clause.soft;
  // An answer in the same message as an ask ("…, I'll do that once…", "Pablo, draft it? I'll
  // review.") is about that ask: it takes it when it may, and never reaches further back.
  const sameMessage = candidates.filter(
    (c) => c.messageIndex === answer.messageIndex && c.order < answer.order && !c.closed,
  );
  if (sameMessage.length > 0) {
    const last = sameMessage.at(-1)!;
    if (last.owner.kind !== 'user' || !last.owner.sure || last.owner.id === who) take(last, answer, who);
    return true;
  }
  const targets = targetsOf(candidates, answer, (c) => takeableBy(c, who, soft));
  if (targets.length === 0) return false;
  const mine = targets.filter((c) => c.owner.kind === 'user' && c.owner.id === who);
  const chosen = clause.all ? targets : mine.length > 0 ? mine : targets.slice(0, 1);
  for (const c of chosen) take(c, answer, who);
  return true;
}

// ---- one item said twice ----

const GENERIC = new Set(
  (
    'a an the to of for in on at by with from into about and or it its this that these those them they we our i you ' +
    'your my me be is are was were will would can could should do does did done make add fix update set get take ' +
    'have has had write look check also just too now today tomorrow please thing stuff one bit some any all both ' +
    'up out over new old next first last properly again before after so then'
  ).split(' '),
);

function stem(word: string): string {
  return word
    .replace(/(?:ing|ed)$/, '')
    .replace(/ies$/, 'y')
    .replace(/(?<=[a-z]{3})s$/, '');
}

export function contentWords(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
      .filter((w) => !GENERIC.has(w) && w.length > 1)
      .map(stem),
  );
}

function similar(a: Set<string>, b: Set<string>, strict: boolean): boolean {
  if (a.size === 0 || b.size === 0) return false;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return strict
    ? shared >= 2 && shared / Math.min(a.size, b.size) >= 0.6
    : shared >= 1 && shared / Math.min(a.size, b.size) >= 0.5;
}

/**
 * Merges later mentions of an item into its first: evidence joined, the surest owner kept. Within
 * one message only pasted notes repeat items ("Jamal will check…" … "Action items: Jamal — test…"),
 * and only with a closer likeness, since a list holds many items that look alike.
 */
export function mergeMentions(candidates: Candidate[], pasted = false): void {
  const open = candidates.filter((c) => !c.closed);
  const words = new Map(open.map((c) => [c, contentWords(c.clause.action)]));
  for (let i = 0; i < open.length; i++) {
    const first = open[i]!;
    if (first.closed) continue;
    for (let j = i + 1; j < open.length; j++) {
      const later = open[j]!;
      if (later.closed) continue;
      const sameMessage = later.messageIndex === first.messageIndex;
      if (sameMessage && (!pasted || later.line === first.line)) continue;
      if (!similar(words.get(first)!, words.get(later)!, sameMessage)) continue;
      later.closed = true;
      for (const ts of later.evidenceTs) if (!first.evidenceTs.includes(ts)) first.evidenceTs.push(ts);
      if (ownerRank(later.owner) > ownerRank(first.owner)) first.owner = later.owner;
      first.deadline ??= later.deadline;
      first.accepted ||= later.accepted || later.clause.kind === 'commit';
      first.weak &&= later.weak;
      first.urgent ||= later.urgent;
    }
  }
}
