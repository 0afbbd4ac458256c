import type {
  ExtractedTask,
  ExtractionInput,
  ExtractionResult,
  Extractor,
  ThreadMessage,
} from '../domain/extraction.js';
import { truncate } from '../domain/text.js';
import { detectThreadLanguage, LANGUAGE_NAMES } from './discussion-language.js';
import {
  type Clause,
  classifyClause,
  gappedAssignment,
  type OwnerRef,
  SARCASM,
} from './discussion-rules-clauses.js';
import { findDeadline, messageTime } from './discussion-rules-deadline.js';
import { findLabels, findPriority, makeTitle } from './discussion-rules-fields.js';
import { buildDirectory, type Directory } from './discussion-rules-people.js';
import {
  decodeSlack,
  humanize,
  placeholderUserId,
  splitClauses,
  splitLines,
  splitSentences,
} from './discussion-rules-text.js';
import {
  type Answer,
  applyAnswer,
  type Candidate,
  contentWords,
  mergeMentions,
} from './discussion-rules-thread.js';
import { EVIDENCE_MAX } from './discussion-schema.js';

/**
 * Extraction without an LLM. Each message is cut into clauses (compromise), each clause is
 * classified (discussion-rules-clauses.ts), answers are tied to the asks they answer and repeated
 * mentions merged (discussion-rules-thread.ts), deadlines become dates (chrono-node). It reads
 * English only and says so on the summary when a thread is in another language. Labelled `rules`
 * on every card; its quality on the evaluation set is in the README.
 */

export const RULES_EXTRACTOR_NAME = 'rules';

const URGENT =
  /\b(?:asap|urgent|urgently|blocker|blocking|right away|immediately|today|tonight|eod|p0|p1|sev ?[012])\b/i;

interface Parsed {
  candidates: Candidate[];
  answers: Answer[];
}

/** One short line with no sentence punctuation and nobody addressed: a heading, not a sentence. */
function isTitleLine(text: string): boolean {
  const line = text.trim();
  return (
    !line.includes('\n') &&
    !/[.?!:]$/.test(line) &&
    line.split(/\s+/).length <= 8 &&
    !/\b(?:i|we|you|please|pls|can|could|should|need)\b|<@/i.test(line)
  );
}

/** The person a whole message speaks to: "Zoé, can you…" at its start, or its only mention. */
function messageAddressee(text: string, directory: Directory, author: string | null): OwnerRef | null {
  const lead = /^\s*(@?[\w.'-]+)\s*[,:]/.exec(text);
  const id = lead?.[1] ? directory.resolve(lead[1]) : null;
  if (id && id !== author) return { kind: 'user', id, sure: true };
  const mentions = [
    ...new Set([...text.matchAll(/\bZq([uw][a-z0-9]+)\b/gi)].map((m) => m[1]!.toUpperCase())),
  ];
  if (mentions.length === 1 && mentions[0] !== author) return { kind: 'user', id: mentions[0]!, sure: true };
  return null;
}

function parseThread(
  messages: readonly ThreadMessage[],
  skip: ReadonlySet<number>,
  directory: Directory,
  pasted: boolean,
): Parsed {
  const candidates: Candidate[] = [];
  const answers: Answer[] = [];
  let order = 0;
  messages.forEach((message, messageIndex) => {
    if (skip.has(messageIndex)) return;
    const at = messageTime(message.ts);
    const text = decodeSlack(message.text);
    const replyTo =
      [...messages.slice(0, messageIndex)].reverse().find((m) => m.user && m.user !== message.user)?.user ??
      null;
    const addressee = messageAddressee(text, directory, message.user);
    const messageSarcastic = /(?:^|\s)\/s\b/.test(text);
    const lines = splitLines(text);
    lines.forEach((line, lineIndex) => {
      // The first line of pasted notes or an email is its title ("Call with Hooli (Fri) — me, …").
      if (
        pasted &&
        lineIndex === 0 &&
        !line.bullet &&
        lines.length > 1 &&
        !/[.?!]$/.test(line.text) &&
        line.text.split(/\s+/).length <= 14
      ) {
        return;
      }
      let previous: string | null = null;
      for (const sentence of splitSentences(line.text)) {
        const clauses = splitClauses(sentence, directory.isName);
        const sarcastic = messageSarcastic || SARCASM.test(sentence);
        const previousSentence = previous;
        previous = sentence;
        let assigned = false;
        clauses.forEach((text, i) => {
          order++;
          const context = {
            author: message.user,
            directory,
            line,
            replyTo,
            addressee,
            question: i === clauses.length - 1 && /\?\s*\S{0,3}$/.test(sentence),
            sarcastic,
            pasted,
          };
          const clause: Clause | null =
            classifyClause(text, context) ?? (assigned ? gappedAssignment(text, context) : null);
          if (!clause) return;
          // A thread's opening title ("Release planning for the spring launch") names the topic;
          // it is not an order even when its first word is a verb.
          if (clause.kind === 'imperative' && messageIndex === 0 && !pasted && isTitleLine(message.text))
            return;
          assigned = clause.kind === 'request' && clause.owner.kind === 'user' && clause.owner.sure;
          const deadline =
            findDeadline(text, at) ??
            (clauses.length === 1 ? null : findDeadline(sentence, at)) ??
            (line.listed || line.bullet ? findDeadline(line.text, at) : null);
          if (
            clause.kind === 'accept' ||
            clause.kind === 'decline' ||
            clause.kind === 'done' ||
            clause.refersBack
          ) {
            answers.push({ clause, message, messageIndex, order, deadline });
            if (clause.kind !== 'commit' && clause.kind !== 'request') return;
            // "I'll fix it": an answer when there is an ask before it, a task of its own otherwise.
          }
          candidates.push({
            clause,
            message,
            messageIndex,
            order,
            sentence,
            quote: clauses.length > 1 && text.split(/\s+/).length >= 3 ? text : sentence,
            previousSentence,
            line: line.text,
            owner: clause.owner,
            weak: clause.weak,
            deadline,
            evidenceTs: [message.ts],
            accepted: false,
            closed: clause.refersBack,
            urgent: URGENT.test(sentence),
          });
        });
      }
    });
  });
  // "We need X. This is urgent.": urgency said once in a message is about its only ask.
  for (const c of candidates) {
    if (
      candidates.filter((o) => o.messageIndex === c.messageIndex).length === 1 &&
      URGENT.test(c.message.text)
    ) {
      c.urgent = true;
    }
  }
  return { candidates, answers };
}

/**
 * "We need to …" is a task when the thread is a list of follow-ups (its first message says so), or
 * when the whole input is one message someone chose to extract; elsewhere it is deliberation until
 * someone takes it.
 */
const FOLLOW_UP_FRAME = /\b(?:follow[- ]?ups?|action items?|to-?dos?|next steps|tasks for|one per reply)\b/i;

function obligationsCount(messages: readonly ThreadMessage[]): boolean {
  return messages.length === 1 || FOLLOW_UP_FRAME.test(messages[0]?.text ?? '');
}

/** Verbs too vague to name a task on their own ("I'll do it" with nothing before it). */
const VAGUE = /^(?:do|take|handle|grab|own|get|have|pick|pick up|it|that|this|both|them|one)\b/i;

/**
 * A commitment right after an ask aimed at its writer is the answer to that ask, in other words:
 * "Stan, can you get a quote?" — "I'll reach out tomorrow." is one task, Stan's, due tomorrow.
 */
function commitAnswers(candidates: readonly Candidate[], c: Candidate): Candidate | null {
  const words = contentWords(c.clause.action);
  const who = c.message.user;
  if (!who || c.clause.kind !== 'commit' || c.clause.refersBack) return null;
  const firstCommit = candidates.find((o) => o.messageIndex === c.messageIndex && o.clause.kind === 'commit');
  if (firstCommit !== c) return null;
  const asks = candidates.filter(
    (o) =>
      o.messageIndex < c.messageIndex &&
      c.messageIndex - o.messageIndex <= 2 &&
      !o.closed &&
      o.message.user !== who &&
      o.clause.kind !== 'commit' &&
      ((o.owner.kind === 'user' && o.owner.id === who) ||
        (o.owner.kind === 'open' && c.messageIndex - o.messageIndex === 1) ||
        // "we need a list of those 12" — "I can pull that list": the next message takes it up.
        (o.owner.kind === 'none' &&
          o.weak &&
          c.messageIndex - o.messageIndex === 1 &&
          [...contentWords(o.clause.action)].some((w) => words.has(w)))),
  );
  return asks.find((o) => o.owner.kind === 'user') ?? asks[0] ?? null;
}

function resolveAnswers({ candidates, answers }: Parsed): void {
  const events = [
    ...answers.map((answer) => ({ order: answer.order, answer })),
    ...candidates
      .filter((c) => c.clause.kind === 'commit' && !c.clause.refersBack)
      .map((c) => ({ order: c.order, commit: c })),
  ].sort((a, b) => a.order - b.order);
  for (const event of events) {
    if ('commit' in event && event.commit) {
      const c = event.commit;
      const ask = commitAnswers(candidates, c);
      if (!ask) continue;
      applyAnswer([ask], {
        clause: { ...c.clause, refersBack: true },
        message: c.message,
        messageIndex: c.messageIndex,
        order: c.order,
        deadline: c.deadline,
      });
      c.closed = true;
      continue;
    }
    const answer = 'answer' in event ? event.answer : undefined;
    if (!answer) continue;
    const answered = applyAnswer(candidates, answer);
    const own = candidates.find((c) => c.order === answer.order);
    if (!own) continue;
    // An "I'll do it" is the ask it answered; with no ask before it, it says too little to be a task.
    own.closed = true;
    // "…is failing. can someone look at it?": an ask about the sentence before it stands alone.
    if (
      !answered &&
      own.clause.kind === 'request' &&
      own.previousSentence &&
      !VAGUE.test(own.clause.action.trim())
    ) {
      own.closed = false;
      own.clause = { ...own.clause, refersBack: false };
    }
  }
}

/** "just kidding", "I'm joking": whatever its writer proposed just before was not meant. */
function dropJokes(candidates: Candidate[], messages: readonly ThreadMessage[]): void {
  messages.forEach((m, index) => {
    if (!m.user || !/\b(?:just kidding|jk|i(?:'m| am) joking|kidding|only joking)\b/i.test(m.text)) return;
    for (const c of candidates) {
      if (c.message.user === m.user && c.messageIndex < index && index - c.messageIndex <= 3) c.closed = true;
    }
  });
}

function ownerId(owner: OwnerRef): string | null {
  return owner.kind === 'user' ? owner.id : null;
}

function toTask(c: Candidate, directory: Directory): ExtractedTask | null {
  const human = (text: string) => humanize(text, directory.nameOf);
  const title = makeTitle(human(c.clause.action), c.deadline ? [c.deadline.phrase] : []);
  // One word is a title only when it was handed to someone by name ("Hal takes reliability").
  const handed =
    c.clause.kind === 'listed' ||
    (c.clause.kind === 'request' && c.clause.owner.kind === 'user' && c.clause.owner.sure);
  if (title.length < 3 || (title.split(/\s+/).length < 2 && !handed)) return null;
  const assignee = ownerId(c.owner);
  const assigneeName = assignee ? (directory.nameOf(assignee) ?? assignee) : null;
  const who = c.message.userName || 'Someone';
  const description = [
    `${who} in the thread: "${truncate(human(c.line).replace(/\s+/g, ' '), 600)}"`,
    assigneeName ? `Taken on by ${assigneeName} in the thread.` : '',
  ]
    .filter((p) => p.length > 0)
    .join('\n');
  const criteria = [`"${title}" is done and verified`];
  const soThat = /\bso that\s+([^.;!?]+)/i.exec(c.sentence);
  if (soThat?.[1]) criteria.push(`${soThat[1].charAt(0).toUpperCase()}${soThat[1].slice(1).trim()}`);
  if (c.deadline) criteria.push(`Finished by ${c.deadline.date}`);
  return {
    title,
    description,
    acceptanceCriteria: criteria,
    priority: findPriority(c.sentence) ?? findPriority(c.line) ?? 'MEDIUM',
    deadline: c.deadline?.date ?? null,
    labels: findLabels(`${title} ${c.sentence}`),
    assignee: assignee && !placeholderUserId(assignee) ? assignee : null,
    evidence: truncate(human(c.quote).replace(/\s+/g, ' ').trim(), EVIDENCE_MAX),
    evidenceTs: [...c.evidenceTs].sort((a, b) => Number.parseFloat(a) - Number.parseFloat(b)),
  };
}

/** What the rules say on the summary about a thread they could not fully read. */
function languageNotice(messages: readonly ThreadMessage[]): {
  skip: Set<number>;
  notice?: string;
  unreadable: boolean;
} {
  const language = detectThreadLanguage(messages.map((m) => m.text));
  if (language.main !== 'en' && language.main !== 'unknown') {
    const name = LANGUAGE_NAMES[language.main];
    return {
      skip: new Set(messages.keys()),
      unreadable: true,
      notice: `This thread looks like ${name}: the rule-based extractor reads English only, so it found nothing here. Claude, when it is configured for this app, extracts tasks in any language.`,
    };
  }
  if (language.foreign.size === 0) return { skip: language.foreign, unreadable: false };
  const n = language.foreign.size;
  return {
    skip: language.foreign,
    unreadable: false,
    notice: `${n} message${n === 1 ? '' : 's'} not in English ${n === 1 ? 'was' : 'were'} skipped: the rule-based extractor reads English only (Claude, when configured, reads any language).`,
  };
}

export function extractWithRules(input: ExtractionInput): { tasks: ExtractedTask[]; notice?: string } {
  const { messages } = input;
  const language = languageNotice(messages);
  if (language.unreadable) return { tasks: [], ...(language.notice ? { notice: language.notice } : {}) };
  const directory = buildDirectory(messages);
  const parsed = parseThread(messages, language.skip, directory, input.source === 'text');
  resolveAnswers(parsed);
  dropJokes(parsed.candidates, messages);
  const live = parsed.candidates.filter((c) => !c.closed);
  mergeMentions(live, input.source === 'text');
  const framed = obligationsCount(messages);
  const tasks = live
    .filter(
      (c) =>
        !c.closed &&
        (!c.weak || c.accepted || c.deadline !== null || c.urgent || (framed && !c.clause.hedged)),
    )
    .map((c) => toTask(c, directory))
    .filter((t): t is ExtractedTask => t !== null);
  return { tasks, ...(language.notice ? { notice: language.notice } : {}) };
}

export function createRulesExtractor(): Extractor {
  return {
    name: RULES_EXTRACTOR_NAME,
    async extract(input: ExtractionInput, signal?: AbortSignal): Promise<ExtractionResult> {
      signal?.throwIfAborted();
      const { tasks, notice } = extractWithRules(input);
      return {
        tasks,
        extractor: RULES_EXTRACTOR_NAME,
        truncated: false,
        omittedMessages: 0,
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
        ...(notice ? { notice } : {}),
      };
    },
  };
}
