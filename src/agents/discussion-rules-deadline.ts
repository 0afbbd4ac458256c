import * as chrono from 'chrono-node';

/**
 * Deadlines as dates, relative to the time of the message that says them (chrono-node): "by
 * Friday", "EOD tomorrow", "Dec 8", "3.12." → an ISO date; a phrase that names no day ("next
 * sprint", "in January", "Q1", "soon") → none. Dates are UTC calendar days: Slack gives message
 * times in UTC and no time zone of the writer.
 *
 * Conventions (the same as the evaluation set's): EOD/COB/today/tonight → the message's day; this
 * week/end of week/EOW → that week's Friday; next week → the next Monday; end of next week → the
 * next week's Friday; end of month → its last day. A date before the message is history ("since
 * Saturday"), never a deadline.
 */

export interface Deadline {
  /** YYYY-MM-DD */
  date: string;
  /** The words that said it, as written (removed from titles). */
  phrase: string;
}

const DAY_MS = 86_400_000;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function fridayOf(date: Date, weeksAhead: number): Date {
  const day = startOfDay(date);
  const weekday = day.getUTCDay(); // 0 Sunday … 6 Saturday
  const toFriday = (5 - weekday + 7) % 7;
  const friday = new Date(day.getTime() + toFriday * DAY_MS);
  // On a weekend, "this week" has passed: the coming Friday is the next one already.
  return new Date(friday.getTime() + weeksAhead * 7 * DAY_MS);
}

function nextMonday(date: Date): Date {
  const day = startOfDay(date);
  const toMonday = ((8 - day.getUTCDay()) % 7 || 7) * DAY_MS;
  return new Date(day.getTime() + toMonday);
}

interface Found {
  date: Date;
  index: number;
  text: string;
}

/** Week, month and end-of-day phrases that chrono reads differently from our conventions. */
const PERIODS: Array<{ pattern: RegExp; date: (at: Date) => Date }> = [
  {
    pattern: /\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+week|next\s+week'?s?\s+end)\b/i,
    date: (at) => fridayOf(at, 1),
  },
  {
    pattern:
      /\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the|this)\s+week|(?:by\s+)?(?:the\s+)?end\s+of\s+week|eow|this\s+week)\b/i,
    date: (at) => fridayOf(at, 0),
  },
  { pattern: /\b(?:by\s+|until\s+|before\s+)?next\s+week\b(?!\s*'?s)/i, date: nextMonday },
  {
    pattern: /\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the|this)\s+month\b|\beom\b/i,
    date: (at) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)),
  },
  {
    pattern: /\b(?:tomorrow\s+(?:eod|cob|end\s+of\s+day)|(?:eod|cob)\s+tomorrow)\b/i,
    date: (at) => new Date(startOfDay(at).getTime() + DAY_MS),
  },
  {
    pattern: /\b(?:by\s+)?(?:eod|cob|end\s+of\s+(?:the\s+)?(?:day|business))\b/i,
    date: (at) => startOfDay(at),
  },
  { pattern: /\b(?:after|before|by)\s+lunch\b/i, date: (at) => startOfDay(at) },
];

/** Reasons and conditions: a date in them is not the work's ("…so this doesn't recur in 90 days"). */
const REASON = /\s(?:so that|so|because|since|otherwise|if|unless|in case)\s.*$/i;

/** "the 7th", "on the 9th": the next such day of the month, from the message's day. */
const DAY_OF_MONTH =
  /\b(?:on\s+|by\s+|before\s+|starting\s+|from\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[A-Z][a-z]+)/i;
/** German and European "3.12." / "3.12.2026". */
const DOTTED = /\b(?:bis\s+(?:zum\s+)?|by\s+)?(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)/;

/** Words before a date that make it history or a start, not a deadline. */
const NOT_A_DEADLINE_BEFORE = /\b(?:since|ago|last|from|after|of|on\s+the\s+night\s+of)\s*$/i;

export function findDeadline(fullText: string, at: Date): Deadline | null {
  const text = fullText.replace(REASON, '');
  const today = startOfDay(at);
  const found: Found[] = [];

  for (const { pattern, date } of PERIODS) {
    const m = pattern.exec(text);
    if (m) found.push({ date: date(at), index: m.index, text: m[0] });
  }
  const dom = DAY_OF_MONTH.exec(text);
  if (dom?.[1]) {
    const day = Number(dom[1]);
    let date = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), day));
    if (date < today) date = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, day));
    if (day >= 1 && day <= 31) found.push({ date, index: dom.index, text: dom[0] });
  }
  const dotted = DOTTED.exec(text);
  if (dotted?.[1] && dotted[2]) {
    const year = dotted[3]
      ? Number(dotted[3].length === 2 ? `20${dotted[3]}` : dotted[3])
      : at.getUTCFullYear();
    let date = new Date(Date.UTC(year, Number(dotted[2]) - 1, Number(dotted[1])));
    if (!dotted[3] && date < today)
      date = new Date(Date.UTC(year + 1, Number(dotted[2]) - 1, Number(dotted[1])));
    if (!Number.isNaN(date.getTime())) found.push({ date, index: dotted.index, text: dotted[0] });
  }

  const covered = (index: number) => found.some((f) => index >= f.index && index < f.index + f.text.length);
  for (const result of chrono.en.casual.parse(text, { instant: at, timezone: 0 }, { forwardDate: true })) {
    if (covered(result.index) || /^(?:for\s+|right\s+)?now$/i.test(result.text.trim())) continue;
    const start = result.start;
    // A month alone ("in January") or a year names no day.
    if (!start.isCertain('day') && !start.isCertain('weekday') && !start.isCertain('hour')) {
      if (!/\b(?:today|tonight|tomorrow|afternoon|morning|evening|noon)\b/i.test(result.text)) continue;
    }
    if (NOT_A_DEADLINE_BEFORE.test(text.slice(0, result.index))) continue;
    found.push({ date: start.date(), index: result.index, text: result.text });
  }

  const future = found
    .map((f) => ({ ...f, date: startOfDay(f.date) }))
    .filter((f) => f.date >= today && !NOT_A_DEADLINE_BEFORE.test(text.slice(0, f.index)))
    .sort((a, b) => a.index - b.index);
  if (future.length === 0) return null;
  // "by …", "before …", "until …", "due …" mark the deadline when a sentence holds several dates.
  const marked = future.find(
    (f) =>
      /\b(?:by|before|until|due|no later than|bis)\s*$/i.test(text.slice(0, f.index)) ||
      /^(?:by|before|until|bis)\b/i.test(f.text),
  );
  const pick = marked ?? future[0]!;
  return { date: isoDay(pick.date), phrase: pick.text.trim() };
}

/** The time of a Slack message (`ts` is seconds since 1970); `now` for pasted text (ts "0"). */
export function messageTime(ts: string, now: Date = new Date()): Date {
  const seconds = Number.parseFloat(ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : now;
}
