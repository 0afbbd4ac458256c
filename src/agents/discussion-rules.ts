import type {
  ExtractedTask,
  ExtractionInput,
  ExtractionResult,
  Extractor,
  ThreadMessage,
} from '../domain/extraction.js';
import { type Priority, TITLE_MAX } from '../domain/task.js';
import { truncate } from '../domain/text.js';
import { EVIDENCE_MAX, mergeDuplicateTasks, normaliseLabels } from './discussion-schema.js';

/**
 * Extraction without an LLM: recognises the phrases people use for action items, sentence by
 * sentence. It misses tasks that need understanding and is labelled as `rules` on every card, but it
 * works on a fresh machine with no API key and never invents an assignee.
 */

export const RULES_EXTRACTOR_NAME = 'rules';

/** Verbs that start an imperative task sentence ("Fix the cookie flags"). Base forms only. */
const ACTION_VERBS = new Set([
  'add',
  'fix',
  'update',
  'create',
  'remove',
  'write',
  'deploy',
  'migrate',
  'implement',
  'investigate',
  'refactor',
  'document',
  'rename',
  'delete',
  'bump',
  'upgrade',
  'downgrade',
  'configure',
  'enable',
  'disable',
  'rotate',
  'review',
  'patch',
  'move',
  'replace',
  'audit',
  'backport',
  'revert',
  'ship',
  'release',
  'publish',
  'merge',
  'optimize',
  'optimise',
  'improve',
  'verify',
  'ensure',
  'schedule',
  'notify',
  'send',
  'draft',
  'prepare',
  'build',
  'install',
  'provision',
  'automate',
  'backfill',
  'split',
  'debug',
  'reproduce',
  'triage',
  'archive',
  'restore',
  'validate',
  'sanitize',
  'sanitise',
  'increase',
  'reduce',
  'expose',
  'integrate',
  'convert',
  'translate',
  'clean',
  'set',
  'setup',
  'test',
  'monitor',
  'file',
  'roll',
  'rollback',
  'drop',
  'tune',
  'benchmark',
]);

/** Verbs after "we should", "I'll", "please" … that do not make a task ("we should talk", "I'll be out"). */
const NON_TASK_VERBS = new Set([
  'be',
  'have',
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
  'grab',
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
  'explain',
  'tell',
  'remind',
  'confirm',
  'share',
  'know',
  'get',
  'do',
  'need',
  'like',
  'love',
  'hope',
  'agree',
  'ask',
  'believe',
  'imagine',
  'hear',
  'help',
  'take',
]);

/** Words in front of the verb that carry no meaning for a title. */
const FILLER =
  /^(?:(?:also|probably|just|quickly|then|now|definitely|really|still|maybe|first|finally|please|pls|go ahead and|try to|try and|need to|want to|be able to|to)\s+)+/i;

/** "Yes, fix it" and "OK so add …" are imperatives behind a word of agreement. */
const INTERJECTIONS =
  /^(?:(?:yes|yeah|yep|ok|okay|sure|so|and|also|then|right|agreed|great|cool|alright)\b[,!.]?\s+)+/i;

const MENTION = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;
const MENTION_AT_START = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>[\s,:]*/;

/** A sentence that doubts or cancels work ("not sure we need to …") proposes none. */
const HEDGES = /\b(not sure|don'?t think|do not think|no need to|never mind|nvm)\b/i;

interface Candidate {
  clause: string;
  /** A Slack user id, the author for "I'll …", or null. */
  assignee: string | null;
  explicit: boolean;
}

const WEEKDAY =
  '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)';
const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const DEADLINE_CORE = [
  '\\d{4}-\\d{2}-\\d{2}',
  '\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?',
  `${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?`,
  `\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}(?:\\s+\\d{4})?`,
  `(?:next|this)\\s+(?:week|sprint|month|${WEEKDAY})`,
  `(?:end of|the end of)\\s+(?:the\\s+)?(?:day|week|month|sprint|quarter)`,
  `${WEEKDAY}(?:\\s+(?:morning|afternoon|evening|eod))?`,
  'tomorrow(?:\\s+(?:morning|afternoon|evening|eod))?',
  'tonight',
  'today',
  'eod',
  'eow',
  'cob',
].join('|');
/** "by Friday", "before 2026-12-01", and the bare phrases that are deadlines on their own. */
const DEADLINE_BY = new RegExp(`\\b(?:by|before|until|due)\\s+(${DEADLINE_CORE})\\b`, 'i');
const DEADLINE_BARE =
  /\b(tomorrow(?:\s+(?:morning|afternoon|evening))?|tonight|end of (?:the\s+)?(?:day|week|month|sprint)|eod|eow|this week|next week)\b/i;

function findDeadline(text: string): { phrase: string; value: string } | null {
  const by = DEADLINE_BY.exec(text);
  if (by?.[1]) return { phrase: by[0], value: by[1] };
  const bare = DEADLINE_BARE.exec(text);
  if (bare?.[1]) return { phrase: bare[0], value: bare[1] };
  return null;
}

const PRIORITY_RULES: Array<[RegExp, Priority]> = [
  [/\b(blocker|blocking|critical|outage|sev ?[01]|p0|production is down|prod is down)\b/i, 'CRITICAL'],
  [
    /\b(urgent|urgently|asap|a\.s\.a\.p|high priority|top priority|important|sev ?2|p1|right away|immediately)\b/i,
    'HIGH',
  ],
  [
    /\b(low priority|low-priority|nice to have|nice-to-have|no rush|when you get a chance|when you have time|someday|eventually|p3|p4)\b/i,
    'LOW',
  ],
];

function findPriority(text: string): Priority | null {
  for (const [pattern, priority] of PRIORITY_RULES) if (pattern.test(text)) return priority;
  return null;
}

/** Words said only to convey priority or politeness, dropped from titles. */
const PRIORITY_WORDS =
  /\b(?:asap|a\.s\.a\.p\.?|urgently|urgent|right away|immediately|as soon as possible|it'?s a blocker|this is a blocker|low priority|low-priority|nice to have|nice-to-have|no rush|when you get a chance|when you have time|please|pls|if possible|at some point)\b/gi;

const LABEL_RULES: Array<[RegExp, string]> = [
  [/\b(bugs?|broken|crash(es|ing)?|regressions?|fix(es|ing)?|hotfix|defects?)\b/i, 'bug'],
  [
    /\b(security|vulnerab\w*|cve-?\d*|xss|csrf|injection|leak(ed|s)?|secrets?|credentials?|api keys?|tokens?|permissions?|samesite|csp)\b/i,
    'security',
  ],
  [/\b(docs?|documentation|documents?|readme|runbooks?|changelog|wiki|guide)\b/i, 'docs'],
  [
    /\b(frontend|front-end|ui|ux|css|react|button|browser|safari|chrome|firefox|modal|page|layout)\b/i,
    'frontend',
  ],
  [
    /\b(backend|back-end|api|endpoints?|database|db|sql|server|queries|query|migrations?|schema|orders?)\b/i,
    'backend',
  ],
  [
    /\b(infra|infrastructure|deploy\w*|kubernetes|k8s|helm|terraform|ci|pipelines?|docker|aws|gcp|dns|proxy|nginx|alerts?|alerting|monitoring|dashboards?|staging|cluster)\b/i,
    'infra',
  ],
  [/\b(tests?|testing|e2e|unit tests?|coverage|flaky|qa)\b/i, 'test'],
];

function findLabels(text: string): string[] {
  return normaliseLabels(LABEL_RULES.filter(([pattern]) => pattern.test(text)).map(([, label]) => label));
}

/** Slack markup to plain text; user mentions stay as `<@U…>` tokens for the patterns. */
function decodeSlack(text: string): string {
  return text
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/<!(channel|here|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<#C[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u2018\u2019]/g, "'");
}

function splitSentences(line: string): string[] {
  return line
    .split(/(?<=[.!?])\s+(?=[A-Z<@"'(])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const BULLET = /^\s*(?:[-*•◦‣]|\d+[.)]|\[[ xX]?\]|-\s*\[[ xX]?\])\s+/;
const HEADER = /^\s*\*?(?:action items?|ais|todos?|to-dos?|next steps|follow[- ]?ups?|tasks?)\*?\s*:?\s*$/i;
const MARKER =
  /^\*?(?:action items?|ai|todo|to-do|to do|task|follow[- ]?up|next step)s?\*?\s*[:\-\u2013]\s*(.+)$/i;
/** An upper-case TODO needs no colon; a lower-case "todo" does ("todo list is long" is no task). */
const TODO_MARKER = /^TODO\b[\s:-]*(.+)$/;

function firstWord(text: string): string {
  return (/^[a-z']+/i.exec(text)?.[0] ?? '').toLowerCase();
}

function stripFiller(clause: string): string {
  return clause.replace(FILLER, '').trim();
}

/** Turns one sentence into a candidate task, or null when it is not one. */
function matchSentence(
  sentence: string,
  author: ThreadMessage,
  names: Map<string, string>,
): Candidate | null {
  const marker = MARKER.exec(sentence) ?? TODO_MARKER.exec(sentence);
  if (marker?.[1]) {
    const inner = matchSentence(marker[1], author, names);
    return { clause: inner?.clause ?? marker[1], assignee: inner?.assignee ?? null, explicit: true };
  }
  if (HEDGES.test(sentence)) return null;

  // "<@U123> will add …", "<@U123> can you add …", "<@U123> to add …", "<@U123> please add …"
  const mentionLead =
    /(?:^|[\s,(])<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*,?\s*(?:will|is going to|'ll|can you|could you|would you|please|to)\s+(.+)$/i.exec(
      sentence,
    );
  if (mentionLead?.[1] && mentionLead[2]) {
    return actionable(mentionLead[2], mentionLead[1], false);
  }
  // "@alice will add …" written as plain text: an assignee only if a participant has that name.
  const namedLead = /(?:^|\s)@([\w.-]+)\s+(?:will|is going to)\s+(.+)$/i.exec(sentence);
  if (namedLead?.[1] && namedLead[2]) {
    return actionable(namedLead[2], names.get(namedLead[1].toLowerCase()) ?? null, false);
  }
  // "Dave will migrate …", "Dave to write …": only when Dave is someone in the thread ("This will …" is not).
  const nameLead = /^([A-Z][\w.-]*)\s+(?:will|to|is going to)\s+(.+)$/.exec(sentence);
  const namedId = nameLead?.[1] ? names.get(nameLead[1].toLowerCase()) : undefined;
  if (namedId && nameLead?.[2]) return actionable(nameLead[2], namedId, false);
  const self = /(?:^|[\s,])(?:I\s+will|I'll|I\s+am\s+going\s+to|I'm\s+going\s+to)\s+(.+)$/i.exec(sentence);
  if (self?.[1]) return actionable(self[1], author.user, false);

  const someone =
    /\b(?:can|could|would)\s+(?:someone|somebody|anyone|anybody|you(?:\s+all)?|y'all)\s+(?:please\s+)?(.+)$/i.exec(
      sentence,
    );
  if (someone?.[1]) return actionable(someone[1], null, false);

  const need =
    /\bwe\s+(?:really\s+|also\s+|still\s+|definitely\s+|probably\s+)?(?:need\s+to|have\s+to|must|should|ought\s+to|gotta)\s+(.+)$/i.exec(
      sentence,
    );
  if (need?.[1]) return actionable(need[1], null, false);

  const please = /(?:^|[,;:]\s*|\s)please\s+(.+)$/i.exec(sentence);
  if (please?.[1]) return actionable(please[1], null, false);

  const lets = /\blet'?s\s+(.+)$/i.exec(sentence);
  if (lets?.[1]) {
    // "let's sync Monday" is chit-chat; "let's add a retry" is a task: only action verbs count here.
    return ACTION_VERBS.has(firstWord(stripFiller(lets[1]))) ? actionable(lets[1], null, false) : null;
  }

  // Imperative: "Fix the cookie flags." — not a question, not "Test failures are annoying".
  const imperative = sentence.replace(INTERJECTIONS, '');
  const verb = firstWord(imperative);
  if (ACTION_VERBS.has(verb) && !sentence.trimEnd().endsWith('?')) {
    const rest = imperative.slice(verb.length);
    if (/^\s*:/.test(rest)) return null; // "Update: the deploy went fine"
    const next = rest
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .map((w) => w.toLowerCase());
    if (next.some((w) => /^(is|are|was|were|has|had|looks|seems|went|did|failed|passed)$/.test(w)))
      return null;
    return { clause: imperative, assignee: null, explicit: false };
  }
  return null;
}

function actionable(clause: string, assignee: string | null, explicit: boolean): Candidate | null {
  const verb = firstWord(stripFiller(clause));
  if (verb.length === 0 || NON_TASK_VERBS.has(verb)) return null;
  return { clause, assignee, explicit };
}

/** Clause → a short imperative title: reasons, deadlines and priority words are left for other fields. */
function makeTitle(clause: string, deadlinePhrase: string | null, names: Map<string, string>): string {
  let title = clause;
  if (deadlinePhrase) title = title.replace(deadlinePhrase, ' ');
  title = title
    .split(
      /\s*[,;]\s*(?:it|it's|this|that|because|since|so|otherwise|as|which|then|but|and then|thanks|thx|ty)\b|\s*,\s*(?=[\w']+\s+(?:is|are|was|were|has|have|keeps?|seems?|looks?)\b)|\s+(?:because|since|so that|otherwise)\s+|\s+[-\u2013\u2014]\s+|;|\s+\(|\?/i,
    )[0]!
    .replace(PRIORITY_WORDS, ' ');
  title = stripFiller(humanMentions(title, names))
    .replace(/\s+/g, ' ')
    .replace(/[\s,.:;!]+$/, '')
    .replace(/\s+(?:too|as well|also)$/i, '')
    .trim();
  if (title.length === 0) return '';
  return truncate(title.charAt(0).toUpperCase() + title.slice(1), TITLE_MAX);
}

function humanMentions(text: string, names: Map<string, string>): string {
  return text.replace(
    MENTION,
    (_m, id: string, label: string | undefined) => `@${label ?? names.get(id) ?? id}`,
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Names and ids of the people in the thread: authors, and users mentioned with a label. */
function participantNames(messages: ThreadMessage[]): {
  byId: Map<string, string>;
  byName: Map<string, string>;
} {
  const byId = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const m of messages) {
    // Mentions written with a label (<@U123|dave>) name people who did not write in the thread.
    for (const [, id, label] of m.text.matchAll(MENTION)) {
      if (id && label && !byId.has(id)) {
        byId.set(id, label);
        byName.set(label.toLowerCase(), id);
      }
    }
    if (m.user) {
      byId.set(m.user, m.userName);
      const lower = m.userName.toLowerCase();
      byName.set(lower, m.user);
      byName.set(lower.split(/\s+/)[0]!, m.user);
    }
  }
  return { byId, byName };
}

function toTask(
  candidate: Candidate,
  sentence: string,
  line: string,
  context: string,
  message: ThreadMessage,
  byId: Map<string, string>,
): ExtractedTask | null {
  const deadline = findDeadline(candidate.clause) ?? findDeadline(context);
  const title = makeTitle(candidate.clause, deadline?.phrase ?? null, byId);
  const words = title.split(/\s+/).filter((w) => w.length > 0);
  if (words.length < (candidate.explicit ? 1 : 2)) return null;

  const quote = humanMentions(oneLine(sentence), byId);
  const who = message.userName || 'Someone';
  const assigneeName = candidate.assignee ? (byId.get(candidate.assignee) ?? candidate.assignee) : null;
  const description = [
    `${who} in the thread: "${truncate(humanMentions(oneLine(line), byId), 600)}"`,
    assigneeName ? `Taken on by ${assigneeName} in the thread.` : '',
  ]
    .filter((p) => p.length > 0)
    .join('\n');

  const criteria = [`"${title}" is done and verified`];
  const soThat = /\bso that\s+([^.;!?]+)/i.exec(sentence);
  if (soThat?.[1]) criteria.push(`${soThat[1].charAt(0).toUpperCase()}${soThat[1].slice(1).trim()}`);
  if (deadline) criteria.push(`Finished by ${deadline.value}`);

  return {
    title,
    description,
    acceptanceCriteria: criteria,
    priority: findPriority(sentence) ?? findPriority(context) ?? 'MEDIUM',
    deadline: deadline?.value ?? null,
    labels: findLabels(`${title} ${sentence}`),
    assignee: candidate.assignee,
    evidence: truncate(quote, EVIDENCE_MAX),
  };
}

/** Every task candidate in one message, in order. */
function extractFromMessage(
  message: ThreadMessage,
  byId: Map<string, string>,
  byName: Map<string, string>,
): ExtractedTask[] {
  const text = decodeSlack(message.text);
  const found: Array<{ candidate: Candidate; sentence: string; line: string }> = [];
  let underHeader = false;

  for (const rawLine of text.split(/\r?\n/)) {
    if (rawLine.trim().length === 0) continue;
    if (HEADER.test(rawLine)) {
      underHeader = true;
      continue;
    }
    const isBullet = BULLET.test(rawLine);
    const line = rawLine.replace(BULLET, '').trim();
    if (!isBullet) underHeader = false;

    // Under an "Action items:" header every bullet is a task, whatever its wording.
    if (underHeader && isBullet) {
      const inner = matchSentence(line, message, byName);
      const lead = MENTION_AT_START.exec(line);
      found.push({
        candidate: inner ?? {
          clause: line.replace(MENTION_AT_START, ''),
          assignee: lead?.[1] ?? null,
          explicit: true,
        },
        sentence: line,
        line,
      });
      continue;
    }
    for (const sentence of splitSentences(line)) {
      const candidate = matchSentence(sentence, message, byName);
      if (candidate) found.push({ candidate, sentence, line });
    }
  }

  // Priority and deadline words may sit next to the task rather than in its sentence ("It's a blocker.
  // We need to …"): the line is the context when it holds one task, the message when it holds one.
  const perLine = new Map<string, number>();
  for (const f of found) perLine.set(f.line, (perLine.get(f.line) ?? 0) + 1);
  const contextOf = (f: (typeof found)[number]): string =>
    found.length === 1 ? text : perLine.get(f.line) === 1 ? f.line : f.sentence;
  return found
    .map((f) => toTask(f.candidate, f.sentence, f.line, contextOf(f), message, byId))
    .filter((t): t is ExtractedTask => t !== null);
}

export function createRulesExtractor(): Extractor {
  return {
    name: RULES_EXTRACTOR_NAME,
    async extract(input: ExtractionInput, signal?: AbortSignal): Promise<ExtractionResult> {
      signal?.throwIfAborted();
      const { byId, byName } = participantNames(input.messages);
      const tasks = input.messages.flatMap((m) => extractFromMessage(m, byId, byName));
      return {
        tasks: mergeDuplicateTasks(tasks),
        extractor: RULES_EXTRACTOR_NAME,
        truncated: false,
        omittedMessages: 0,
        usage: { inputTokens: 0, outputTokens: 0 },
      };
    },
  };
}
