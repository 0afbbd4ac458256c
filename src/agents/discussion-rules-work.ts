import nlp from 'compromise';
import {
  ACTION_VERBS,
  INTERJECTION,
  LEAD_NOISE,
  NON_TASK_VERBS,
  PRONOUN_OBJECT,
  SOCIAL,
  TAIL,
  TAKE_VERBS,
} from './discussion-rules-lexicon.js';

/** What the work in a clause is: its verb, its object, whether it is work at all. */

export function firstWord(text: string): string {
  return (/^[a-z][a-z'-]*/i.exec(text)?.[0] ?? '').toLowerCase();
}

export function stripInterjections(text: string): string {
  let out = text.trim();
  for (let i = 0; i < 6; i++) {
    const next = out.replace(LEAD_NOISE, '').replace(INTERJECTION, '').trim();
    if (next === out || next.length === 0) break;
    out = next;
  }
  return out;
}

/** Takes the work out of "take X", "own the fix", "pick that up"; says when X is only a pronoun. */
export function workOf(action: string): { action: string; refersBack: boolean; all: boolean } {
  const work = action.trim().replace(/[.!?]+$/, '');
  const core = (text: string) =>
    text
      .replace(TAIL, '')
      .replace(/[,;].*$/, '')
      .trim();
  const all = /^(?:\w+\s+)?(?:both|all of them|all three|them all)\b/i.test(core(work));
  if (/^have\s+(?:a|the)\s+(?:pr|fix|patch|draft|look)\b/i.test(work))
    return { action: work, refersBack: true, all };
  const take = TAKE_VERBS.exec(work);
  if (take) {
    const object = work.slice(take[0].length).replace(/^(?:on|over|care of)\s+/i, '');
    if (object.length === 0 || PRONOUN_OBJECT.test(core(object)) || PRONOUN_OBJECT.test(object)) {
      return { action: work, refersBack: true, all };
    }
    // "do the replay" and "take a look" keep their verb; "take/own/grab X" becomes X.
    if (!/^(?:do|get|have)\s/i.test(take[0]) && !/^(?:a look|a stab|a pass|a crack|care)\b/i.test(object)) {
      return { action: object, refersBack: false, all: false };
    }
  }
  const words = core(work)
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const rest = words.slice(1).join(' ');
  // A lone verb ("I'll review", "I'll check") is about an earlier ask; a lone noun ("reliability") is the work.
  const loneVerb = words.length === 1 && isVerb(words[0]!);
  if (words.length === 0 || loneVerb || PRONOUN_OBJECT.test(core(work)) || PRONOUN_OBJECT.test(rest)) {
    return { action: work, refersBack: true, all };
  }
  return { action: work, refersBack: false, all: false };
}

/** True when the action starts no work ("be out", "see", "watch it", "let you know"). */
export function noWork(action: string): boolean {
  if (SOCIAL.test(action.replace(TAIL, ''))) return true;
  const verb = firstWord(action);
  if (verb.length === 0) return true;
  if (verb === 'let') return !/^let\s+(?:them|the customers?|him|her|[A-Z]\w+|zq\w+)\s+know\b/i.test(action);
  if (verb === 'ask')
    return (
      !/^ask\s+\S+(?:\s+\S+)?\s+to\s+/i.test(action) &&
      !/^ask\s+(?:them|legal|finance|billing)\b/i.test(action)
    );
  if (verb === 'join') return !/\bcall|meeting|incident\b/i.test(action);
  return NON_TASK_VERBS.has(verb);
}

const verbCache = new Map<string, boolean>();

/** Whether compromise reads a lone word as a verb (cached: the same words come back all the time). */
export function isVerb(word: string): boolean {
  const key = word.toLowerCase();
  const known = verbCache.get(key);
  if (known !== undefined) return known;
  const answer = tagsSayVerb(key);
  if (verbCache.size < 10_000) verbCache.set(key, answer);
  return answer;
}

function tagsSayVerb(word: string): boolean {
  const term = nlp(word).json()[0]?.terms?.[0];
  const tags: string[] = term?.tags ?? [];
  return tags.includes('Verb') && !tags.includes('Copula') && !tags.includes('Modal');
}

/** A bare imperative: an action verb first (compromise agrees it is a verb), no copula next. */
export function imperative(text: string): boolean {
  const verb = firstWord(text);
  if (!ACTION_VERBS.has(verb)) return false;
  const rest = text.slice(verb.length);
  if (/^\s*:/.test(rest)) return false; // "Update: the deploy went fine"
  const next = rest
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => w.toLowerCase());
  if (
    next.some((w) =>
      /^(?:is|are|was|were|has|had|looks|seems|went|did|failed|passed|keeps|takes|will|would)$/.test(w),
    )
  )
    return false;
  // The first few words are context enough to tag the first one, and far cheaper than the clause.
  const first = nlp(text.split(/\s+/).slice(0, 4).join(' ')).json()[0]?.terms?.[0]?.tags ?? [];
  return first.includes('Verb') || first.includes('Imperative') || first.includes('Infinitive');
}
