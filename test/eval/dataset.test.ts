import { describe, expect, it } from 'vitest';
import { DatasetError, KINDS, loadDataset, parseDatasetFile } from '../../eval/extraction/dataset.js';

/** The labelled set keeps the shape the issue asks for, and the loader refuses broken labels. */
describe('extraction evaluation set', () => {
  const all = loadDataset();

  it('has at least 150 conversations, a third or more without items, in both splits', () => {
    expect(all.length).toBeGreaterThanOrEqual(150);
    expect(all.filter((c) => c.items.length === 0).length * 3).toBeGreaterThanOrEqual(all.length);
    const heldOut = all.filter((c) => c.split === 'heldout').length;
    expect(heldOut).toBeGreaterThanOrEqual(45);
    expect(all.length - heldOut).toBeGreaterThanOrEqual(90);
  });

  it('covers every kind of conversation, pasted text, and German and Japanese threads', () => {
    for (const kind of KINDS) expect(all.some((c) => c.kind === kind)).toBe(true);
    expect(all.some((c) => c.source === 'text')).toBe(true);
    expect(all.filter((c) => c.lang === 'de').length).toBeGreaterThanOrEqual(4);
    expect(all.filter((c) => c.lang === 'ja').length).toBeGreaterThanOrEqual(4);
  });

  it('links every gold item to evidence messages, with owners among the people', () => {
    for (const c of all) {
      const ids = new Set(c.messages.map((m) => m.id));
      for (const item of c.items) {
        expect(item.evidence.every((e) => ids.has(e))).toBe(true);
        if (item.owner) expect(c.people[item.owner]).toBeDefined();
      }
    }
  });

  const file = (items: string, messages = '["m1 U0ANN: I will fix it and write the doc"]') => `
split: dev
about: a file to test the loader
conversations:
  - id: x
    kind: planning
    start: 2026-11-24T09:00:00Z
    people: { U0ANN: Ann }
    messages: ${messages}
    items: ${items}
`;

  it('refuses a span that is not in the evidence, an unknown owner, and two items sharing a message without spans', () => {
    expect(() =>
      parseDatasetFile(
        file('[{ title: Fix it, evidence: [m1], span: not there, owner: null, deadline: null }]'),
        'f',
      ),
    ).toThrow(DatasetError);
    expect(() =>
      parseDatasetFile(file('[{ title: Fix it, evidence: [m1], owner: U0BOB, deadline: null }]'), 'f'),
    ).toThrow(/not in people/);
    expect(() =>
      parseDatasetFile(
        file(
          '[{ title: Fix it, evidence: [m1], owner: null, deadline: null }, { title: Write the doc, evidence: [m1], owner: null, deadline: null }]',
        ),
        'f',
      ),
    ).toThrow(/needs a span/);
    expect(() => parseDatasetFile(file('[]', '["m2 U0ANN: hi"]'), 'f')).toThrow(/numbered m2/);
  });

  it('gives messages Slack timestamps from the start time, two minutes apart unless told', () => {
    const [c] = parseDatasetFile(file('[]', '["m1 U0ANN: a", "m2 U0ANN: b", "m3 U0ANN +1d: c"]'), 'f');
    const seconds = c!.messages.map((m) => Math.floor(Number(m.ts)));
    const start = Date.parse('2026-11-24T09:00:00Z') / 1000;
    expect(seconds).toEqual([start, start + 120, start + 120 + 86_400]);
  });
});
