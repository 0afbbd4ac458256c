import {
  assignment,
  commitment,
  listedItem,
  obligation,
  order,
  request,
  weakHedged,
} from './discussion-rules-acts.js';
import {
  ACCEPT,
  AFFIRMATIVE_EMOJI,
  DECLINE,
  DONE,
  EMOJI_ONLY,
  HEDGE,
  SOFT_ACCEPT,
} from './discussion-rules-lexicon.js';
import {
  type Clause,
  type ClauseContext,
  clause,
  type OwnerRef,
  ownerOf,
} from './discussion-rules-owners.js';
import { expand } from './discussion-rules-text.js';
import { stripInterjections } from './discussion-rules-work.js';

/**
 * What one clause does in the conversation, told from its grammar (compromise for parts of speech)
 * and the phrases people use: commits ("I'll add…", "gonna…", "dibs on…"), asks ("can you…",
 * "Name, please…", "can someone…", "you'll take…?"), assigns ("Hal takes…", "Petra — …"), states a
 * team obligation ("we need to…", weak until someone takes it), gives an order (an imperative), or
 * answers an earlier ask ("on it", "done", "not me"). Negated, hedged, sarcastic and plain
 * questions do none of these.
 */

export { gappedAssignment } from './discussion-rules-acts.js';
export { SARCASM } from './discussion-rules-lexicon.js';
export type { Clause, ClauseContext, ClauseKind, OwnerRef } from './discussion-rules-owners.js';

export function classifyClause(raw: string, ctx: ClauseContext): Clause | null {
  const original = expand(raw.trim());
  if (original.length === 0) return null;
  if (ctx.line.checkbox === 'done') return null;

  // Answers to an earlier ask come first: they are short and would otherwise look like nothing.
  const bare = original.replace(/[.!]+$/, '').trim();
  if (DONE.test(bare)) return clause('done', '', { kind: 'none' });
  if (DECLINE.test(bare)) return clause('decline', '', { kind: 'none' });
  if (EMOJI_ONLY.test(bare)) {
    return AFFIRMATIVE_EMOJI.test(bare) && ctx.author
      ? clause('accept', '', { kind: 'user', id: ctx.author, sure: true }, { soft: true })
      : null;
  }
  if (ctx.sarcastic) return null;

  let text = stripInterjections(original);
  // "for the drill: the on-call engineer runs…": a label before the clause, unless it names someone.
  const label = /^([^:]{1,40}):\s+(.+)$/.exec(text);
  if (
    label?.[1] &&
    label[2] &&
    !ctx.line.listed &&
    label[1].split(/\s+/).length <= 6 &&
    !/^(?:todo|to-?do|ais?|action(?: items?| points?)?)(?:\s*\([^)]*\))?$/i.test(label[1].trim()) &&
    !ownerOf(label[1].trim(), ctx)
  ) {
    text = stripInterjections(label[2]);
  }
  const author: OwnerRef = ctx.author ? { kind: 'user', id: ctx.author, sure: true } : { kind: 'none' };
  if (SOFT_ACCEPT.test(original.replace(/[.!]+$/, '')) || (ACCEPT.test(original) && text === '')) {
    return clause('accept', '', author, { soft: SOFT_ACCEPT.test(original.replace(/[.!]+$/, '')) });
  }
  if (
    /^(?:both|all of them|all three|them all)\b/i.test(original.replace(ACCEPT, '')) &&
    ACCEPT.test(original)
  ) {
    return clause('accept', '', author, { all: true });
  }

  // "don't forget to X" asks for X.
  text = text.replace(/^(?:please\s+)?(?:do not|don't) forget (?:to\s+)?(?:about\s+)?/i, 'please ');
  const question = ctx.question || /\?\s*$/.test(text);

  // Lists under "Action items:", check boxes, "TODO:" / "AI:" markers.
  const marker =
    /^(?:todo|to-?do|ais?|action(?: item| point)?)s?\s*(\((?:me|[^)]*)\))?\s*[:\u2014\u2013-]\s*(.+)$/i.exec(
      text,
    );
  if (marker?.[2] || ctx.line.listed || ctx.line.checkbox === 'open') {
    const body = marker?.[2] ?? text;
    const byMe = marker?.[1] && /me/i.test(marker[1]) ? author : null;
    return listedItem(body, byMe, ctx);
  }

  if (
    HEDGE.test(text) &&
    !/\b(?:would be (?:great|awesome|good|nice) if|can you|could you|would you)\b/i.test(text)
  ) {
    return weakHedged(text, ctx);
  }
  const negated =
    /^(?:let us not|do not|does not|did not|no need to|never|nobody|no one|not now|not before|not worth|not yet)\b/i;
  if (negated.test(text)) return null;
  // "I won't touch it", "we shouldn't ship it": the subject's own predicate is negated.
  if (
    /^(?:\S+\s+){1,2}?(?:will not|shall not|should not|cannot|can not|must not|do not|does not|am not going to|are not going to|is not going to|would not)\b/i.test(
      text,
    )
  )
    return null;

  return (
    commitment(text, ctx, author) ??
    request(text, ctx, question) ??
    (question ? null : (obligation(text) ?? assignment(text, ctx) ?? order(text, ctx)))
  );
}
