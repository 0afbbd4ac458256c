import nlp from 'compromise';
import type { Directory } from './discussion-rules-people.js';
import { expand, type Line } from './discussion-rules-text.js';

/**
 * What one clause does in the conversation, told from its grammar (compromise for parts of speech)
 * and the phrases people use: commits ("I'll add…", "gonna…", "dibs on…"), asks ("can you…",
 * "Name, please…", "can someone…", "you'll take…?"), assigns ("Hal takes…", "Petra — …"), states a
 * team obligation ("we need to…", weak until someone takes it), gives an order (an imperative), or
 * answers an earlier ask ("on it", "done", "not me"). Negated, hedged, sarcastic and plain
 * questions do none of these.
 */

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

/** Verbs whose object is the work: "take dark mode", "own the fix", "dibs on stripe tax". */
const TAKE_VERBS = /^(?:take|grab|own|handle|drive|pick up|pick|do|get|have|lead|cover|tackle|run with|start on|work on|look after)\s+/i;
const PRONOUN_OBJECT =
  /^(?:it|that|this|them|both|those|these|one|the same|that one|this one|both of them|all of them|all three|that bit|the rest)(?:\s+(?:up|on|over|too|then|now|today|tomorrow|instead|as well))*\s*$/i;

/** Verbs that start no work ("I'll be out", "let's talk", "will watch it"). */
const NON_TASK_VERBS = new Set([
  'be',
  'let',
  'talk',
  'discuss',
  'chat',
  'meet',
  'sync',
  'wait',
  'think',
  'celebrate',
  'see',
  'go',
  'hang',
  'catch',
  'keep',
  'consider',
  'note',
  'ignore',
  'enjoy',
  'stop',
  'thank',
  'know',
  'like',
  'love',
  'hope',
  'agree',
  'believe',
  'imagine',
  'hear',
  'watch',
  'revisit',
  'bring',
  'try',
  'collect',
  'stay',
  'leave',
  'say',
  'come',
  'circle',
  'report',
  'ping',
  'use',
  'need',
  'want',
  'owe',
  'buy',
  'grab',
  'join',
  'miss',
  'feel',
  'guess',
  'wonder',
  'mean',
  'appreciate',
  'live',
  'play',
  'eat',
  'sleep',
  'rest',
  'pass',
  'double',
]);

/** Verbs that make an order out of a bare imperative ("Fix the cookie flags"). */
const ACTION_VERBS = new Set(
  (
    'add fix update create remove write deploy migrate implement investigate refactor document rename delete bump ' +
    'upgrade downgrade configure enable disable rotate review patch move replace audit backport revert ship release ' +
    'publish merge optimize optimise improve verify ensure schedule notify send draft prepare build install provision ' +
    'automate backfill split debug reproduce triage archive restore validate sanitize sanitise increase reduce expose ' +
    'integrate convert translate clean set setup test monitor file roll rollback drop tune benchmark replay purge ' +
    'quarantine resubmit redeploy reissue renew cancel book order contact email call check confirm share answer tell ' +
    'inform escalate assign raise lower cap limit alert page open close make change look find pull push run grant ' +
    'revoke block unblock collect'
  ).split(' '),
);

const INTERJECTION =
  /^(?:ok(?:ay)?|so|yes|yeah|yep|yup|ya|sure|cool|great|right|alright|fair(?: enough| points?)?|good (?:catch(?:es)?|idea|point|one|call)|nice|perfect|thanks|thank you|ty|thx|ah|oh|hm+|well|also|and|but|then|real talk:?|fwiw|btw|tbh|honestly|anyway|agreed|true|makes sense|sounds good|noted|great idea|lol|haha|ugh|phew|welp|hey|hi|hello|done deal|deal|awesome|amazing|excellent|super|wow|omg)\b[\s,.!:;-]*/i;

const HEDGE =
  /\b(?:maybe|perhaps|might|possibly|i think|i guess|i wonder|i feel|not sure|what if|ideally|at some point|eventually|some ?day|one day|in theory|or we could|we could|could also|would be nice|long term|in the future|worth (?:it|a)|tempting|vibes|shower thought|i would (?:go|keep|say|suggest|prefer|rather)|in an ideal world|if we ever|if there is time|if i have time|if time permits|when i get a chance)\b/i;

const SARCASM =
  /🙃|🤡|🙄|:upside_down_face:|:clown_face:|:rolling_eyes:|(?:^|\s)\/s\b|what could (?:possibly )?go wrong|while we(?:'re| are) at it|that(?:'ll| will) only take|said no one|yeah right|😂|🤣|:joy:|\blol\b|\blmao\b|\brofl\b/i;

const ACCEPT =
  /^(?:(?:yes|yep|yup|yeah|ya|sure|ok|okay|absolutely|certainly|of course|will do|on it|can do|happy to|got it|i have got (?:it|this)|i got (?:it|this)|leave it with me|consider it done|that is me|that would be me|mine|that is mine|it is mine|that one is mine|works for me|fine by me|sounds good|roger|ack|i am on it|i am in|mach ich|erledige ich|do it|doing it|adding|fixing|will fix|i will|i can)\b[\s,.!:;-]*)+/i;
/** Affirmations that say yes but not "I'll do it". */
const SOFT_ACCEPT =
  /^(?:(?:yes|yep|yup|yeah|ya|sure|ok|okay|absolutely|certainly|of course|works for me|fine by me|sounds good|roger|ack|got it)\b[\s,.!:;-]*)+$/i;
const EMOJI_ONLY = /^(?:\s|:[a-z0-9_+-]+:|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f)+$/u;
const AFFIRMATIVE_EMOJI = /👍|🙆|✅|:\+1:|:thumbsup:|:ok_hand:|👌|🫡/u;

const DECLINE =
  /^(?:no|nope|nah|not me|not it|i cannot|cannot|can not|sorry,? i cannot|not today|not this week|not really my area|i am out|no time|no bandwidth|pass)\b/i;
const DONE =
  /^(?:done|fixed|merged|deployed|shipped|sent|resolved|closed|already did|already done|already fixed|did it|just did|rolled back|restarted|addressed all|addressed|applied|approved|refunded|revoked|halted|communication sent|erledigt|✅|:white_check_mark:|:heavy_check_mark:)(?=$|[\s,.!:;-])/i;

const ROLE =
  /^(?:the\s+)?(?:on-?call(?:\s+(?:engineer|person))?|qa|support|sre|ops|security(?: team)?|legal|finance|the chair|platform(?: team)?|infra(?: team)?|engineering|eng|design|product|marketing|release manager|someone from \w+)\s+/i;

function firstWord(text: string): string {
  return (/^[a-z][a-z'-]*/i.exec(text)?.[0] ?? '').toLowerCase();
}

/** Leading emoji, and labels such as "Owners:" or "plan for Thursday's drill:" before the clause proper. */
const LEAD_NOISE = /^(?:(?::[a-z0-9_+-]+:|\p{Extended_Pictographic}|\ufe0f|\u200d)\s*)+|^(?:owners?|assignees?|plan|update|note|fyi|ps|re|actions?|blockers?|blocked(?: on)?|ask)\b[^:]{0,40}:\s+/iu;

function stripInterjections(text: string): string {
  let out = text.trim();
  for (let i = 0; i < 6; i++) {
    const next = out.replace(LEAD_NOISE, '').replace(INTERJECTION, '').trim();
    if (next === out || next.length === 0) break;
    out = next;
  }
  return out;
}

/** A word that names someone: in the thread (an id) or, capitalised and a name to compromise, not. */
function ownerOf(word: string, ctx: ClauseContext): OwnerRef | null {
  const clean = word.replace(/^@/, '').replace(/[,:;.!?]+$/, '');
  if (clean.length === 0) return null;
  if (/^(?:me|myself|i)$/i.test(clean)) return ctx.author ? { kind: 'user', id: ctx.author, sure: true } : null;
  const id = ctx.directory.resolve(clean);
  if (id) return { kind: 'user', id, sure: true };
  if (/^\p{Lu}\p{Ll}+$/u.test(clean) || /^[A-Z]{2,3}$/.test(clean) || /^[A-Z]\.\s?[A-Z][a-z]+$/.test(clean)) {
    const tags = nlp(clean).json()[0]?.terms?.[0]?.tags ?? [];
    if (/^[A-Z]{2,3}$/.test(clean) || tags.includes('Person') || tags.includes('ProperNoun') || tags.includes('FirstName')) {
      return { kind: 'named', name: clean };
    }
  }
  return null;
}

const NAME = String.raw`(@?\p{L}[\p{L}\p{N}_.'-]*|\p{Lu}\.\s?\p{Lu}\p{Ll}+)`;

/** Leading "Name," / "Name:" / "@name" before the rest of the clause. */
function leadingName(text: string, ctx: ClauseContext): { owner: OwnerRef; rest: string; sep: string } | null {
  const m = new RegExp(`^${NAME}\\s*([,:\\u2014\\u2013-]|\\s)\\s*(.+)$`, 'u').exec(text);
  if (!m?.[1] || !m[3] || /^(?:i|me|we|you|they|he|she|it)$/i.test(m[1])) return null;
  const owner = ownerOf(m[1], ctx);
  return owner ? { owner, rest: m[3], sep: (m[2] ?? '').trim() } : null;
}

/** Trailing vocative: "…, Farah?" / "… — Uta?" / "… (Ben)". */
function trailingName(text: string, ctx: ClauseContext): { owner: OwnerRef; rest: string } | null {
  const m = new RegExp(`^(.+?)\\s*(?:,|[\\u2014\\u2013-]|\\()\\s*${NAME}\\)?\\s*[?.!]*$`, 'u').exec(text);
  if (!m?.[1] || !m[2]) return null;
  const owner = ownerOf(m[2], ctx);
  return owner ? { owner, rest: m[1] } : null;
}

function clause(kind: ClauseKind, action: string, owner: OwnerRef, extra: Partial<Clause> = {}): Clause {
  return { kind, action: action.trim(), owner, weak: false, refersBack: false, all: false, soft: false, hedged: false, ...extra };
}

/** When, why and on what condition: said after the work, never part of what the work is. */
const TAIL =
  /\s+(?:once|when|after|before|if|unless|as soon as|so that|so|because|since|by|until|on|in|at|for|first thing|right|then|this|next|today|tonight|tomorrow|later|now|asap|the (?:day|week)|end of|eod|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b.*$/i;

/** Takes the work out of "take X", "own the fix", "pick that up"; says when X is only a pronoun. */
function workOf(action: string): { action: string; refersBack: boolean; all: boolean } {
  let work = action.trim().replace(/[.!?]+$/, '');
  const core = (text: string) => text.replace(TAIL, '').replace(/[,;].*$/, '').trim();
  const all = /^(?:\w+\s+)?(?:both|all of them|all three|them all)\b/i.test(core(work));
  if (/^have\s+(?:a|the)\s+(?:pr|fix|patch|draft|look)\b/i.test(work)) return { action: work, refersBack: true, all };
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
  const words = core(work).split(/\s+/).filter((w) => w.length > 0);
  const rest = words.slice(1).join(' ');
  // A lone verb ("I'll review", "I'll check") is about an earlier ask; a lone noun ("reliability") is the work.
  const loneVerb = words.length === 1 && isVerb(words[0]!);
  if (words.length === 0 || loneVerb || PRONOUN_OBJECT.test(core(work)) || PRONOUN_OBJECT.test(rest)) {
    return { action: work, refersBack: true, all };
  }
  return { action: work, refersBack: false, all: false };
}

/** Lunch, drinks and parties are plans, not work. */
const SOCIAL = /\b(?:lunch|dinner|ramen|pizza|coffee|beers?|drinks|party|table for|a table|cake|karaoke|birthday|weekend)\b/i;

/** True when the action starts no work ("be out", "see", "watch it", "let you know"). */
function noWork(action: string): boolean {
  if (SOCIAL.test(action.replace(TAIL, ''))) return true;
  const verb = firstWord(action);
  if (verb.length === 0) return true;
  if (verb === 'let') return !/^let\s+(?:them|the customers?|him|her|[A-Z]\w+|zq\w+)\s+know\b/i.test(action);
  if (verb === 'ask') return !/^ask\s+\S+(?:\s+\S+)?\s+to\s+/i.test(action) && !/^ask\s+(?:them|legal|finance|billing)\b/i.test(action);
  if (verb === 'join') return !/\bcall|meeting|incident\b/i.test(action);
  return NON_TASK_VERBS.has(verb);
}

/** "ask Dave to X" → X owned by Dave (or, for a team, by whoever asks). */
function askSomeone(action: string, ctx: ClauseContext): { action: string; owner: OwnerRef } | null {
  const m = /^ask\s+(@?\S+?)\s+to\s+(.+)$/i.exec(action);
  if (!m?.[1] || !m[2]) return null;
  const owner = ownerOf(m[1], ctx);
  return owner ? { action: m[2], owner } : null;
}

function isVerb(word: string): boolean {
  const term = nlp(word).json()[0]?.terms?.[0];
  const tags: string[] = term?.tags ?? [];
  return tags.includes('Verb') && !tags.includes('Copula') && !tags.includes('Modal');
}

/** A bare imperative: an action verb first (compromise agrees it is a verb), no copula next. */
function imperative(text: string): boolean {
  const verb = firstWord(text);
  if (!ACTION_VERBS.has(verb)) return false;
  const rest = text.slice(verb.length);
  if (/^\s*:/.test(rest)) return false; // "Update: the deploy went fine"
  const next = rest.trim().split(/\s+/).slice(0, 2).map((w) => w.toLowerCase());
  if (next.some((w) => /^(?:is|are|was|were|has|had|looks|seems|went|did|failed|passed|keeps|takes|will|would)$/.test(w)))
    return false;
  const first = nlp(text).json()[0]?.terms?.[0]?.tags ?? [];
  return first.includes('Verb') || first.includes('Imperative') || first.includes('Infinitive');
}

/** The owner of an ask that names nobody in its clause: the message's addressee, else a guess. */
function askOwner(ctx: ClauseContext): OwnerRef {
  if (ctx.addressee) return ctx.addressee;
  return ctx.replyTo ? { kind: 'user', id: ctx.replyTo, sure: false } : { kind: 'open' };
}

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
  if (label?.[1] && label[2] && !ctx.line.listed && label[1].split(/\s+/).length <= 6 && !ownerOf(label[1].trim(), ctx)) {
    text = stripInterjections(label[2]);
  }
  const author: OwnerRef = ctx.author ? { kind: 'user', id: ctx.author, sure: true } : { kind: 'none' };
  if (SOFT_ACCEPT.test(original.replace(/[.!]+$/, '')) || ACCEPT.test(original) && text === '') {
    return clause('accept', '', author, { soft: SOFT_ACCEPT.test(original.replace(/[.!]+$/, '')) });
  }
  if (/^(?:both|all of them|all three|them all)\b/i.test(original.replace(ACCEPT, '')) && ACCEPT.test(original)) {
    return clause('accept', '', author, { all: true });
  }

  // "don't forget to X" asks for X.
  text = text.replace(/^(?:please\s+)?(?:do not|don't) forget (?:to\s+)?(?:about\s+)?/i, 'please ');
  const question = ctx.question || /\?\s*$/.test(text);

  // Lists under "Action items:", check boxes, "TODO:" / "AI:" markers.
  const marker = /^(?:todo|to-?do|ais?|action(?: item| point)?)s?\s*(\((?:me|[^)]*)\))?\s*[:\u2014\u2013-]\s*(.+)$/i.exec(
    text,
  );
  if (marker?.[2] || ctx.line.listed || ctx.line.checkbox === 'open') {
    const body = marker?.[2] ?? text;
    const byMe = marker?.[1] && /me/i.test(marker[1]) ? author : null;
    return listedItem(body, byMe, ctx);
  }

  if (HEDGE.test(text) && !/\b(?:would be (?:great|awesome|good|nice) if|can you|could you|would you)\b/i.test(text)) {
    return weakHedged(text, ctx);
  }
  const negated = /^(?:let us not|do not|does not|did not|no need to|never|nobody|no one|not now|not before|not worth|not yet)\b/i;
  if (negated.test(text)) return null;
  // "I won't touch it", "we shouldn't ship it": the subject's own predicate is negated.
  if (/^(?:\S+\s+){1,2}?(?:will not|shall not|should not|cannot|can not|must not|do not|does not|am not going to|are not going to|is not going to|would not)\b/i.test(text)) return null;

  return (
    commitment(text, ctx, author) ??
    request(text, ctx, question) ??
    (question ? null : (obligation(text, ctx) ?? assignment(text, ctx) ?? order(text, ctx)))
  );
}

function listedItem(body: string, byMe: OwnerRef | null, ctx: ClauseContext): Clause | null {
  if (/^(?:[\w ]{1,20}:\s*)?(?:all|everyone|everybody|team)\b/i.test(body)) return null; // "ALL - read the policy"
  if (/^(?:none|nothing|n\/a|-)\.?$/i.test(body.trim())) return null;
  // A list line may still say who: reuse the sentence rules, then the note-taking shapes.
  const inner =
    commitment(stripInterjections(body), ctx, ctx.author ? { kind: 'user', id: ctx.author, sure: true } : { kind: 'none' }) ??
    request(body, ctx, false) ??
    assignment(body, ctx);
  if (inner && inner.kind !== 'obligation') return { ...inner, kind: 'listed', weak: false, owner: byMe ?? inner.owner };
  const lead = leadingName(body, ctx);
  if (lead && lead.sep.length > 0) return clause('listed', lead.rest, byMe ?? lead.owner);
  const trail = trailingName(body, ctx);
  if (trail) return clause('listed', trail.rest, byMe ?? trail.owner);
  const obliged = obligation(body, ctx);
  if (obliged) return { ...obliged, kind: 'listed', weak: false, owner: byMe ?? obliged.owner };
  return clause('listed', body, byMe ?? { kind: 'none' });
}

/** A hedged suggestion is an ask only if someone then takes it ("maybe tell them…" → "will do"). */
function weakHedged(text: string, ctx: ClauseContext): Clause | null {
  if (ctx.question) return null;
  const stripped = text.replace(/^(?:\S+\s*,\s*)?(?:maybe|perhaps|possibly)\s+/i, '');
  if (imperative(stripped)) return clause('request', stripped, askOwner(ctx), { weak: true, hedged: true });
  const we = /^(?:we|you)\s+(?:should|could|might want to|may want to|need to|have to)\s+(?:probably\s+|also\s+)?(.+)$/i.exec(stripped);
  if (we?.[1] && !noWork(we[1])) return clause('obligation', we[1], { kind: 'none' }, { weak: true, hedged: true });
  return null;
}

function commitment(text: string, ctx: ClauseContext, author: OwnerRef): Clause | null {
  // "I'll ask Dave to …"
  const m =
    /^(?:i|me)\s+(?:will|shall|am going to|am about to|can|could|am happy to|would be happy to|plan to|need to|have to|must|should|want to)\s+(?:also\s+|just\s+|probably\s+|definitely\s+|still\s+|then\s+|first\s+)*(not\s+)?(.+)$/i.exec(
      text,
    ) ??
    /^(?:will|shall|going to|am going to|about to)\s+(?:also\s+|just\s+|then\s+)*(not\s+)?(.+)$/i.exec(text) ??
    /^(?:let me|allow me to)\s+()(.+)$/i.exec(text) ??
    /^(?:dibs on|i call dibs on|i am on|i will be on|mine:|todo\(me\):?)\s*()(.+)$/i.exec(text) ??
    /^(?:i|we)\s+(?:am|are)\s+(?:taking|handling|owning)\s+()(.+)$/i.exec(text);
  if (m) {
    if (m[1]) return null; // "I will not …"
    let action = (m[2] ?? '').trim();
    if (/^(?:be|have been|take a look later|try)\b/i.test(action) && !/^have\s+(?:a|the)\s+(?:pr|fix|draft)/i.test(action)) return null;
    const viaSomeone = askSomeone(action, ctx);
    if (viaSomeone) return clause('commit', viaSomeone.action, viaSomeone.owner);
    if (noWork(action)) return null;
    const work = workOf(action);
    action = work.action;
    const weak = /^i\s+(?:could|want to|should)\b/i.test(text);
    return clause('commit', action, author, { refersBack: work.refersBack, weak, all: work.all });
  }
  if (/^(?:that|this|it)\s+is\s+(?:mine|on me)\b/i.test(text) || /^(?:mine|on me)\b/i.test(text)) {
    return clause('commit', 'it', author, { refersBack: true });
  }
  if (ACCEPT.test(text) && text.replace(ACCEPT, '').trim().length === 0) {
    return clause('accept', '', author, { soft: false });
  }
  return null;
}

function request(text: string, ctx: ClauseContext, question: boolean): Clause | null {
  // Name first: "Zoé can you…", "Farah, please…", "Eli you're on…", "Cem can u…".
  const lead = leadingName(text, ctx);
  if (lead) {
    const r = /^(?:(?:can|could|would|will)\s+you|you\s+(?:will|can|could|should|need to|have to|are going to|are on|own|take|get|drive|are driving)|please|mind|to|will|is going to|takes|owns|handles|drives|is on|gets)\s+(?:please\s+)?(?:also\s+)?(?:be (?:willing|able|happy) to\s+)?(.+)$/i.exec(
      lead.rest,
    );
    if (r?.[1]) {
      if (/^(?:is|it is)\s+yours\b/i.test(lead.rest)) return clause('request', 'it', lead.owner, { refersBack: true });
      const work = workOf(r[1]);
      if (noWork(work.action)) return null;
      return clause('request', work.action, lead.owner, { refersBack: work.refersBack, all: work.all });
    }
    if (/^(?:it is|that is|this is)\s+yours\b/i.test(lead.rest)) {
      return clause('request', 'it', lead.owner, { refersBack: true });
    }
    if (lead.sep === ',' && imperative(lead.rest)) return clause('request', lead.rest, lead.owner);
  }
  if (/^(?:it is|that is|this is)\s+yours\b/i.test(text)) {
    const trail = trailingName(text, ctx);
    return clause('request', 'it', trail?.owner ?? askOwner(ctx), { refersBack: true });
  }

  const trail = trailingName(text, ctx);
  const body = trail?.rest ?? text;
  const you =
    /^(?:(?:can|could|would|will)\s+you|would you mind|do you mind|mind|any chance you could|you\s+(?:will|are going to|should|need to|have to|must|can|could)(?:\s+(?:want|need|have) to)?|you\s+(?:take|get|own))\s+(?:please\s+)?(?:also\s+)?(?:be (?:willing|able|happy) to\s+)?(.+)$/i.exec(
      body,
    );
  if (you?.[1]) {
    if (/^you\s+(?:should|can|could)\b/i.test(body) && !question && !trail) return null; // advice, not an ask
    const work = workOf(you[1]);
    if (noWork(work.action)) return null;
    return clause('request', work.action, trail?.owner ?? askOwner(ctx), { refersBack: work.refersBack });
  }
  const open =
    /^(?:(?:can|could|would|will)\s+(?:someone|somebody|anyone|anybody|one of you|you all|y'all|we get someone to)|(?:someone|somebody|anyone)\s+(?:needs to|should|has to|must|please|to|can|could)|(?:who|anyone)\s+(?:can|could|wants? to|will|is able to|able to|has time to|has cycles to)|(?:is\s+)?anyone\s+able\s+to|(?:i|we)?\s*need\s+(?:someone|somebody|a volunteer(?:\s+\w+)?|volunteers?)\s+(?:to|for))\s+(?:please\s+)?(?:also\s+)?(.+)$/i.exec(
      body.replace(/\b(someone|somebody|anyone)\s+(?:from|on|in)\s+(?:the\s+)?[\w-]+(?:\s+team)?\b/i, '$1'),
    );
  if (open?.[1]) {
    const work = workOf(open[1]);
    if (noWork(work.action)) return null;
    return clause('request', work.action, trail?.owner ?? { kind: 'open' }, { refersBack: work.refersBack });
  }
  const wish = /^(?:it )?would be (?:great|awesome|good|nice|amazing) if\s+(@?\S+)\s+could\s+(.+)$/i.exec(body);
  if (wish?.[1] && wish[2]) {
    const owner = /^(?:someone|somebody|anyone)$/i.test(wish[1]) ? { kind: 'open' as const } : ownerOf(wish[1], ctx);
    if (owner) return clause('request', wish[2], owner);
  }
  const please = /^(?:please\s+(.+)|(.+?),?\s+please[.!]?)$/i.exec(body);
  const asked = please?.[1] ?? please?.[2];
  if (asked && (imperative(asked) || isVerb(firstWord(asked))) && !noWork(asked)) {
    return clause('request', asked, trail?.owner ?? askOwner(ctx));
  }
  const role = ROLE.exec(body);
  if (role) {
    const rest = body.slice(role[0].length);
    const duty = /^(?:needs? to|should|will|must|to|has to|is to|can)\s+(.+)$/i.exec(rest);
    if (duty?.[1] && !noWork(duty[1])) return clause('request', duty[1], { kind: 'open' });
    const third = /^(runs|posts|sends|does|takes|writes|books|updates)\s+(.+)$/i.exec(rest);
    if (third?.[1] && third[2]) {
      const base = third[1].toLowerCase() === 'does' ? 'do' : third[1].replace(/s$/i, '');
      return clause('request', `${base} ${third[2]}`, { kind: 'open' });
    }
    if (third?.[1] && third[2]) return clause('request', `${third[1].replace(/e?s$/i, (m) => (/(?:ss|sh|ch|x)es$/i.test(third[1]!) ? '' : m === 'es' && !/oes$/i.test(third[1]!) ? 'e' : ''))} ${third[2]}`, { kind: 'open' });
  }
  if (question) {
    // "can we bump the memory limit?" asks the team; someone has to take it.
    const team = /^(?:can|could|shall)\s+we\s+(?:please\s+)?(?:also\s+)?(.+)$/i.exec(body);
    if (team?.[1] && !noWork(team[1])) return clause('obligation', team[1], { kind: 'open' }, { weak: true });
  }
  return null;
}

function obligation(text: string, ctx: ClauseContext): Clause | null {
  const decided = /^(?:we\s+)?(?:agreed|decided|decision)\s*(?:to|that|:)?\s*(?:we\s+(?:will|would)\s+)?(.+)$/i.exec(text);
  if (decided?.[1] && !noWork(decided[1]) && isVerb(firstWord(decided[1]))) {
    return clause('obligation', decided[1], { kind: 'none' });
  }
  const m =
    /^(?:we|the team|team|y'all|you all|you guys|everyone)\s+(?:really\s+|also\s+|still\s+|definitely\s+|just\s+|then\s+)*(need to|have to|must|should|ought to|will need to|will have to|will|are going to|want to)\s+(?:also\s+|still\s+|definitely\s+|probably\s+|really\s+)*(not\s+)?(.+)$/i.exec(
      text,
    );
  if (m?.[3]) {
    if (m[2]) return null;
    if (noWork(m[3])) return null;
    const weak = !/^(?:will|are going to)$/i.test(m[1] ?? '') || /^we\s+will\s+(?:see|have|need)\b/i.test(text);
    return clause('obligation', m[3], { kind: 'none' }, { weak });
  }
  const need = /^(?:(?:we|i)\s+)?(?:still\s+|also\s+|really\s+)*need\s+(?!to\b|someone|somebody|a volunteer)((?:a|an|the|some|to have|access|approval|help|a review)\b.+)$/i.exec(text);
  if (need?.[1]) return clause('obligation', need[1].replace(/^to have\s+/i, ''), { kind: 'none' }, { weak: true });
  const passive = /^(.+?)\s+(?:needs|has|have|need)\s+to\s+be\s+(\w+ed|done|written|built|set up|sent|rotated)\b(.*)$/i.exec(text);
  if (passive?.[1] && passive[2]) {
    return clause('obligation', `${passive[2]} ${passive[1]}${passive[3] ?? ''}`, { kind: 'none' }, { weak: true });
  }
  const lets = /^let us\s+(?:also\s+|just\s+)?(.+)$/i.exec(text);
  if (lets?.[1]) {
    const action = lets[1];
    if (noWork(action) || !ACTION_VERBS.has(firstWord(action))) return null;
    return clause('obligation', action, askOwnerForTeam(ctx));
  }
  return null;
}

function askOwnerForTeam(_ctx: ClauseContext): OwnerRef {
  return { kind: 'none' };
}

/** "…, Ines onboarding, Jonas the export rewrite": a name and its share, the verb said once before. */
export function gappedAssignment(text: string, ctx: ClauseContext): Clause | null {
  const lead = leadingName(stripInterjections(expand(text)), ctx);
  if (!lead || lead.owner.kind !== 'user' || lead.rest.split(/\s+/).length > 8) return null;
  return clause('request', lead.rest.replace(/[.!]+$/, ''), lead.owner);
}

/** "Hal takes reliability", "Gia books the venue", "Vikram to document…", "Petra — migrate …". */
function assignment(text: string, ctx: ClauseContext): Clause | null {
  const lead = leadingName(text, ctx);
  if (!lead) return null;
  const to = /^(?:to|is to|will|is going to|shall|should|must|needs to|has to)\s+(.+)$/i.exec(lead.rest);
  if (to?.[1]) {
    if (noWork(to[1])) return null;
    return clause('request', workOf(to[1]).action, lead.owner);
  }
  const verb = firstWord(lead.rest);
  if (/^[a-z]+s$/.test(verb) && !/^(?:is|has|does|says|thinks|knows|seems|looks|wants|likes|loves|needs|was|uses|gets|means|agrees|feels)$/.test(verb)) {
    const base = verb.replace(/(?:ches|shes|sses|xes)$/, (s) => s.slice(0, -2)).replace(/ies$/, 'y').replace(/s$/, '');
    if (ACTION_VERBS.has(base) || /^(?:takes|owns|handles|drives|leads|covers)$/.test(verb)) {
      const work = workOf(`${base} ${lead.rest.slice(verb.length).trim()}`);
      return clause('request', work.action, lead.owner, { refersBack: work.refersBack });
    }
  }
  if (lead.sep.length > 0 && lead.sep !== ',' && imperative(lead.rest)) return clause('request', lead.rest, lead.owner);
  return null;
}

/** A bare imperative: "Fix the flaky test", "Matt please fix the cache key", "rollback now". */
function order(text: string, ctx: ClauseContext): Clause | null {
  if (!imperative(text)) return null;
  if (noWork(text)) return null;
  return clause('imperative', text, askOwner(ctx));
}

export { SARCASM };
