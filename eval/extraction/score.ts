import type { ExtractedTask } from '../../src/domain/extraction.js';
import type { EvalConversation, GoldItem } from './dataset.js';

/**
 * Scores extracted tasks against the gold items of a conversation.
 *
 * A task may match a gold item when it cites (`evidenceTs`) one of the item's evidence messages;
 * when that message contains the item's `span`, the task's quote must also overlap the span (half
 * of the span's words). Matching is one-to-one (a maximum bipartite matching), so a task said twice
 * and proposed twice counts once, and the second proposal is a false positive.
 */

export interface Match {
  gold: GoldItem;
  task: ExtractedTask;
}

export interface ConversationScore {
  conversation: EvalConversation;
  tasks: ExtractedTask[];
  matches: Match[];
  /** Tasks that matched no gold item. */
  falsePositives: ExtractedTask[];
  /** Gold items that no task matched. */
  misses: GoldItem[];
}

export interface Counts {
  conversations: number;
  gold: number;
  predicted: number;
  matched: number;
}

export interface Metrics extends Counts {
  precision: number;
  recall: number;
  f1: number;
  /** Conversations with no gold item. */
  noItemConversations: number;
  /** …of which the extractor proposed at least one task. */
  falseAlarms: number;
  falseAlarmRate: number;
  /** Over matched pairs: the task's assignee equals the gold owner (null = null counts). */
  ownerAccuracy: number;
  /** Over matched pairs whose gold item names an owner. */
  ownerStated: number;
  ownerStatedAccuracy: number;
  /** Over matched pairs: the task's deadline (its date part) equals the gold deadline (null = null counts). */
  deadlineAccuracy: number;
  deadlineStated: number;
  deadlineStatedAccuracy: number;
}

const STOP = new Set(
  'a an the to of and or in on at by for it is be we i you ll s t re ve d m can will'.split(' '),
);

/** Words for overlap: lower-case letters and digits; CJK text as character pairs. */
export function overlapTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(word)) {
      for (let i = 0; i + 1 < word.length; i++) tokens.add(word.slice(i, i + 2));
      if (word.length === 1) tokens.add(word);
    } else if (!STOP.has(word)) {
      tokens.add(word);
    }
  }
  return tokens;
}

/** True when at least half of the span's words are in the quote. */
export function quoteOverlapsSpan(quote: string, span: string): boolean {
  const want = overlapTokens(span);
  if (want.size === 0) return true;
  const have = overlapTokens(quote);
  let found = 0;
  for (const t of want) if (have.has(t)) found++;
  return found / want.size >= 0.5;
}

function canMatch(task: ExtractedTask, gold: GoldItem, conversation: EvalConversation): boolean {
  const cited = new Set(task.evidenceTs ?? []);
  return conversation.messages.some((m) => {
    if (!cited.has(m.ts) || !gold.evidence.includes(m.id)) return false;
    if (gold.span && m.text.includes(gold.span)) return quoteOverlapsSpan(task.evidence, gold.span);
    return true;
  });
}

/** Maximum bipartite matching (Kuhn's augmenting paths; the sets are tiny). */
function maximumMatching(edges: boolean[][], goldCount: number): Array<number | undefined> {
  const goldOfTask: Array<number | undefined> = [];
  const taskOfGold: Array<number | undefined> = new Array(goldCount);
  const augment = (t: number, seen: Set<number>): boolean => {
    for (let g = 0; g < goldCount; g++) {
      if (!edges[t]![g] || seen.has(g)) continue;
      seen.add(g);
      const holder = taskOfGold[g];
      if (holder === undefined || augment(holder, seen)) {
        taskOfGold[g] = t;
        goldOfTask[t] = g;
        return true;
      }
    }
    return false;
  };
  for (let t = 0; t < edges.length; t++) augment(t, new Set());
  return goldOfTask;
}

export function scoreConversation(conversation: EvalConversation, tasks: ExtractedTask[]): ConversationScore {
  const gold = conversation.items;
  const edges = tasks.map((t) => gold.map((g) => canMatch(t, g, conversation)));
  const goldOfTask = maximumMatching(edges, gold.length);
  const matches: Match[] = [];
  const falsePositives: ExtractedTask[] = [];
  tasks.forEach((task, t) => {
    const g = goldOfTask[t];
    if (g === undefined) falsePositives.push(task);
    else matches.push({ gold: gold[g]!, task });
  });
  const matchedGold = new Set(matches.map((m) => m.gold));
  return { conversation, tasks, matches, falsePositives, misses: gold.filter((g) => !matchedGold.has(g)) };
}

/** The date part of an ISO deadline; other text is kept as it is (and so never equals a gold date). */
export function deadlineDate(deadline: string | null): string | null {
  if (deadline === null) return null;
  return /^\d{4}-\d{2}-\d{2}/.test(deadline) ? deadline.slice(0, 10) : deadline;
}

/** 0/0 counts as 1: no tasks proposed where none were expected is perfect precision and recall. */
const ratio = (n: number, d: number): number => (d === 0 ? 1 : n / d);

export function aggregate(scores: readonly ConversationScore[]): Metrics {
  const gold = scores.reduce((n, s) => n + s.conversation.items.length, 0);
  const predicted = scores.reduce((n, s) => n + s.tasks.length, 0);
  const matches = scores.flatMap((s) => s.matches);
  const precision = ratio(matches.length, predicted);
  const recall = ratio(matches.length, gold);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const empty = scores.filter((s) => s.conversation.items.length === 0);
  const falseAlarms = empty.filter((s) => s.tasks.length > 0).length;
  const ownerOk = matches.filter((m) => m.task.assignee === m.gold.owner);
  const ownerStated = matches.filter((m) => m.gold.owner !== null);
  const deadlineOk = matches.filter((m) => deadlineDate(m.task.deadline) === m.gold.deadline);
  const deadlineStated = matches.filter((m) => m.gold.deadline !== null);
  return {
    conversations: scores.length,
    gold,
    predicted,
    matched: matches.length,
    precision,
    recall,
    f1,
    noItemConversations: empty.length,
    falseAlarms,
    falseAlarmRate: empty.length === 0 ? 0 : falseAlarms / empty.length,
    ownerAccuracy: ratio(ownerOk.length, matches.length),
    ownerStated: ownerStated.length,
    ownerStatedAccuracy: ratio(
      ownerStated.filter((m) => m.task.assignee === m.gold.owner).length,
      ownerStated.length,
    ),
    deadlineAccuracy: ratio(deadlineOk.length, matches.length),
    deadlineStated: deadlineStated.length,
    deadlineStatedAccuracy: ratio(
      deadlineStated.filter((m) => deadlineDate(m.task.deadline) === m.gold.deadline).length,
      deadlineStated.length,
    ),
  };
}

/** Metrics per group (kind, language, file …), in first-seen order. */
export function aggregateBy(
  scores: readonly ConversationScore[],
  key: (c: EvalConversation) => string,
): Map<string, Metrics> {
  const groups = new Map<string, ConversationScore[]>();
  for (const s of scores) {
    const k = key(s.conversation);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return new Map([...groups].map(([k, list]) => [k, aggregate(list)]));
}
