import { describe, expect, it } from 'vitest';
import { type EvalConversation, parseDatasetFile } from '../../eval/extraction/dataset.js';
import { aggregate, quoteOverlapsSpan, scoreConversation } from '../../eval/extraction/score.js';
import type { ExtractedTask } from '../../src/domain/extraction.js';

/**
 * The scorer on a tiny set whose scores are worked out by hand:
 *   c1: 2 gold items (one message holds both, told apart by span); 3 tasks, 2 match (one owner and
 *       one deadline right), 1 repeats an item already matched → false positive.
 *   c2: 1 gold item, no task → a miss.
 *   c3: no items, 1 task → a false alarm.
 *   c4: no items, no task.
 * Totals: gold 3, predicted 4, matched 2 → P 0.5, R 2/3, F1 4/7; false alarms 1 of 2.
 */
const FILE = `
split: dev
about: a tiny set with known scores
conversations:
  - id: c1
    kind: incident
    start: 2026-11-24T09:00:00Z
    people: { U0ANN: Ann, U0BOB: Bob }
    messages:
      - "m1 U0ANN: checkout is down"
      - "m2 U0ANN: Bob can you roll back, and I'll write the postmortem by Friday"
      - "m3 U0BOB: on it"
    items:
      - title: Roll back checkout
        evidence: [m2, m3]
        span: Bob can you roll back
        owner: U0BOB
        deadline: null
      - title: Write the postmortem
        evidence: [m2]
        span: I'll write the postmortem by Friday
        owner: U0ANN
        deadline: 2026-11-27
  - id: c2
    kind: planning
    start: 2026-11-24T09:00:00Z
    people: { U0ANN: Ann }
    messages:
      - "m1 U0ANN: I'll book the DR test"
    items:
      - title: Book the DR test
        evidence: [m1]
        owner: U0ANN
        deadline: null
  - id: c3
    kind: social
    start: 2026-11-24T09:00:00Z
    people: { U0ANN: Ann }
    messages:
      - "m1 U0ANN: lunch?"
  - id: c4
    kind: design
    start: 2026-11-24T09:00:00Z
    people: { U0ANN: Ann }
    messages:
      - "m1 U0ANN: we could use Redis, or not"
`;

function task(
  conversation: EvalConversation,
  over: Partial<ExtractedTask> & { cites: string[] },
): ExtractedTask {
  const { cites, ...rest } = over;
  return {
    title: 'T',
    description: '',
    acceptanceCriteria: ['done'],
    priority: 'MEDIUM',
    deadline: null,
    labels: [],
    assignee: null,
    evidence: '',
    evidenceTs: cites.map((id) => conversation.messages.find((m) => m.id === id)!.ts),
    ...rest,
  };
}

describe('extraction scorer', () => {
  const [c1, c2, c3, c4] = parseDatasetFile(FILE, 'tiny.yaml') as [
    EvalConversation,
    EvalConversation,
    EvalConversation,
    EvalConversation,
  ];

  it('matches by evidence message one-to-one, using the span inside a shared message', () => {
    const s1 = scoreConversation(c1, [
      // Quotes the postmortem part of m2: matches only the postmortem item.
      task(c1, {
        cites: ['m2'],
        evidence: "I'll write the postmortem by Friday",
        assignee: 'U0ANN',
        deadline: '2026-11-27',
      }),
      // Cites m3 (no span there): matches the roll-back item, wrong owner.
      task(c1, { cites: ['m3'], evidence: 'on it', assignee: null }),
      // The postmortem again: its item is taken, so this is a false positive.
      task(c1, { cites: ['m2'], evidence: 'write the postmortem' }),
    ]);
    expect(s1.matches.map((m) => m.gold.title)).toEqual(['Write the postmortem', 'Roll back checkout']);
    expect(s1.falsePositives).toHaveLength(1);
    expect(s1.misses).toEqual([]);

    const metrics = aggregate([
      s1,
      scoreConversation(c2, []),
      scoreConversation(c3, [task(c3, { cites: ['m1'] })]),
      scoreConversation(c4, []),
    ]);
    expect(metrics).toMatchObject({
      conversations: 4,
      gold: 3,
      predicted: 4,
      matched: 2,
      precision: 0.5,
      noItemConversations: 2,
      falseAlarms: 1,
      falseAlarmRate: 0.5,
      ownerAccuracy: 0.5,
      ownerStated: 2,
      ownerStatedAccuracy: 0.5,
      deadlineAccuracy: 1,
      deadlineStated: 1,
      deadlineStatedAccuracy: 1,
    });
    expect(metrics.recall).toBeCloseTo(2 / 3, 10);
    expect(metrics.f1).toBeCloseTo(4 / 7, 10);
  });

  it('finds the maximum matching, not the first greedy one', () => {
    // Task A fits both items, task B only the roll-back: a greedy pass giving A the roll-back
    // would leave B unmatched; the maximum matching pairs A with the postmortem.
    const s = scoreConversation(c1, [
      task(c1, {
        cites: ['m2', 'm3'],
        evidence: "Bob can you roll back, and I'll write the postmortem by Friday",
      }),
      task(c1, { cites: ['m3'], evidence: 'on it' }),
    ]);
    expect(s.matches).toHaveLength(2);
    expect(s.falsePositives).toEqual([]);
  });

  it('counts a task citing no gold message as a false positive, and a wrong-date deadline as wrong', () => {
    const s = scoreConversation(c1, [
      task(c1, { cites: ['m1'] }),
      task(c1, { cites: ['m2'], evidence: 'write the postmortem', deadline: 'Friday' }),
    ]);
    expect(s.falsePositives).toHaveLength(1);
    expect(aggregate([s]).deadlineAccuracy).toBe(0);
  });

  it('scores nothing proposed where nothing was expected as perfect', () => {
    expect(aggregate([scoreConversation(c4, [])])).toMatchObject({
      precision: 1,
      recall: 1,
      f1: 1,
      falseAlarmRate: 0,
    });
  });

  it('compares quotes with spans by words, half of the span being enough', () => {
    expect(quoteOverlapsSpan('Bob, can you roll back please', 'Bob can you roll back')).toBe(true);
    expect(quoteOverlapsSpan('write the postmortem', 'Bob can you roll back')).toBe(false);
    expect(quoteOverlapsSpan('ステージング環境の動作確認', 'ステージング環境')).toBe(true);
  });
});
