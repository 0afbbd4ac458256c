import nlp from 'compromise';

/**
 * From a Slack message to the pieces the rules classify: Slack markup decoded, user mentions turned
 * into placeholder words, lines sorted into headers, bullets and check boxes, lines cut into
 * sentences (compromise) and sentences into clauses where a new subject starts.
 */

const MENTION = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;
const PLACEHOLDER_PREFIX = 'Zq';

/** A mention as one word that reads as a name to the rules and cannot collide with real text. */
export function mentionPlaceholder(userId: string): string {
  return `${PLACEHOLDER_PREFIX}${userId.toLowerCase()}`;
}

export function placeholderUserId(word: string): string | null {
  const m = /^zq([uw][a-z0-9]+)$/i.exec(word);
  return m?.[1] ? m[1].toUpperCase() : null;
}

/** Slack markup to plain text; user mentions become placeholders (see mentionPlaceholder). */
export function decodeSlack(text: string): string {
  return text
    .replace(MENTION, (_m, id: string) => mentionPlaceholder(id))
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/<!(channel|here|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_m, label: string | undefined) => label ?? '@group')
    .replace(/<#C[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"');
}

/** Placeholders back to `@name` for titles and quotes. */
export function humanize(text: string, nameOf: (userId: string) => string | undefined): string {
  return text.replace(
    /\bZq([uw][a-z0-9]+)\b/gi,
    (_m, id: string) => `@${nameOf(id.toUpperCase()) ?? id.toUpperCase()}`,
  );
}

export interface Line {
  text: string;
  bullet: boolean;
  /** `[ ]` → open, `[x]` → done, else null. */
  checkbox: 'open' | 'done' | null;
  /** Under an "Action items" / "Next steps" / "To do" header. */
  listed: boolean;
  /** The line is quoted (`> …`): someone else's words pasted in. */
  quoted: boolean;
}

const BULLET = /^\s*(?:[-*•◦‣·]|\d+[.)]|[a-z][.)])\s+/i;
const CHECKBOX = /^\s*(?:[-*•]\s*)?\[([ xX✓]?)\]\s*/;
/** A line that only announces a list of action items. */
const HEADER =
  /^\s*[*_]*(?:action items?|action points?|actions|ais|todos?|to-?dos?|to do|next steps|follow[- ]?ups?|tasks|open items|owners)[*_]*\s*:?\s*$/i;
/** Any other short heading ending in a colon ("Feedback from the group:") closes an action list. */
const OTHER_HEADER = /^\s*[^\s].{0,60}:\s*$/;

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let listed = false;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim().length === 0) {
      continue;
    }
    if (HEADER.test(raw)) {
      listed = true;
      continue;
    }
    if (OTHER_HEADER.test(raw) && !BULLET.test(raw)) {
      listed = false;
    }
    const quoted = /^\s*>/.test(raw);
    let body = raw.replace(/^\s*>\s?/, '');
    const box = CHECKBOX.exec(body);
    const checkbox = box ? (box[1]?.trim() ? 'done' : 'open') : null;
    if (box) body = body.slice(box[0].length);
    const bullet = checkbox !== null || BULLET.test(body);
    body = body.replace(BULLET, '').trim();
    if (body.length === 0) continue;
    lines.push({ text: body, bullet, checkbox, listed, quoted });
  }
  return lines;
}

/** Sentences of one line, by compromise (it knows "e.g.", decimals and abbreviations). */
export function splitSentences(line: string): string[] {
  // A parenthesis often holds a clause of its own: "GitHub access (I'll add them once…)".
  const asides: string[] = [];
  line = line.replace(/\(([^()]{12,})\)/g, (_m, inner: string) => {
    asides.push(inner);
    return ' ';
  });
  // tokenize: sentence boundaries only, without tagging every word (ten times faster on long lines).
  const sentences = nlp
    .tokenize(line)
    .json({ text: true })
    .map((s: { text: string }) => s.text.trim())
    .filter((s: string) => s.length > 0);
  return [...(sentences.length > 0 ? sentences : [line]), ...asides];
}

const PRONOUN_START = /^(?:i|we|you|someone|somebody|anyone|anybody|he|she|they|zq[uw][a-z0-9]+)\b/i;
/** After a name: what makes "Name …" the start of a clause rather than an object. */
const NAME_PREDICATE =
  /^,?\s+(?:you|can|could|would|will|to|please|pls|takes|owns|is on|'s on|should|needs|must|runs|gets|handles|drives|the|a|an)\b/i;
/** Words that start sentences and are never names. */
const NOT_NAMES =
  /^(?:could|can|would|will|should|please|and|but|so|then|also|maybe|ok|okay|yes|no|the|this|that|it|not)$/i;

/**
 * Cuts a sentence where a new clause with its own subject starts after "and", ";", a dash or a
 * comma: "I'll bump their timeout and Mae, you'll take pagination?" → two clauses.
 */
export function splitClauses(sentence: string, isName: (word: string) => boolean): string[] {
  const parts: string[] = [];
  let rest = sentence;
  const cut = /(?:\s*;\s*|\s+[-\u2013\u2014]\s+|,?\s+and\s+(?:also\s+|then\s+)?|,\s+(?:also\s+|then\s+)?)/g;
  let start = 0;
  for (const m of sentence.matchAll(cut)) {
    const after = sentence.slice(m.index! + m[0].length);
    const next = /^[\p{L}\p{N}'.-]+/u.exec(after)?.[0] ?? '';
    const named = next.length > 0 && !NOT_NAMES.test(next) && (isName(next) || /^\p{Lu}\p{Ll}+$/u.test(next));
    if (
      PRONOUN_START.test(after) ||
      (named &&
        (isName(next) ? /^\S+,?\s+\S/ : NAME_PREDICATE).test(after.slice(isName(next) ? 0 : next.length)))
    ) {
      const piece = sentence.slice(start, m.index!).trim();
      if (piece.length > 0) parts.push(piece);
      start = m.index! + m[0].length;
    }
  }
  rest = sentence.slice(start).trim();
  if (rest.length > 0) parts.push(rest);
  return parts.length > 0 ? parts : [sentence];
}

/** Contractions and chat spellings spelled out, so one pattern covers "I'll", "ill", "I will". */
const EXPANSIONS: Array<[RegExp, string]> = [
  [/\b(i|we|you|they|he|she|it|that|someone|somebody)'ll\b/gi, '$1 will'],
  [/\bi'm\b/gi, 'I am'],
  [/\b(i|we|you|they)'ve\b/gi, '$1 have'],
  [/\bi'd\b/gi, 'I would'],
  [/\b(we|you|they)'re\b/gi, '$1 are'],
  [/\b(it|that|what|there|he|she|who)'s\b/gi, '$1 is'],
  [/\blet's\b/gi, 'let us'],
  [/\bcan't\b/gi, 'cannot'],
  [/\bwon't\b/gi, 'will not'],
  [/\bshan't\b/gi, 'shall not'],
  [/\b(do|does|did|is|are|was|were|should|would|could|must|need|have|has)n't\b/gi, '$1 not'],
  [/\bgonna\b/gi, 'going to'],
  [/\bwanna\b/gi, 'want to'],
  [/\bgotta\b/gi, 'have to'],
  [/\b(?:pls|plz|plse)\b/gi, 'please'],
  [/\b(?:tmrw|tmr|tmw|tomo)\b/gi, 'tomorrow'],
  [/\bu\b/g, 'you'],
  [/\bur\b/gi, 'your'],
  [/\bim\b/g, 'I am'],
  [
    /\bill\b(?=\s+(?:do|take|add|fix|check|look|write|send|ask|update|get|handle|grab|have|make|try))/g,
    'I will',
  ],
];

export function expand(text: string): string {
  let out = text;
  for (const [pattern, replacement] of EXPANSIONS) out = out.replace(pattern, replacement);
  return out;
}
