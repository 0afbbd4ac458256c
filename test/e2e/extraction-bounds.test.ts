import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { type AnthropicStandIn, startAnthropicStandIn } from '../support/anthropic-standin.js';
import { DATABASE_KINDS } from '../support/database.js';
import { type Harness, startHarness, textOf, USERS } from '../support/harness.js';

/** Issue 7, items 9, 13 and 14: long threads, made-up mentions and long answers are bounded, never silently. */
describe.each(DATABASE_KINDS)('extraction bounds, rule-based extractor (%s)', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ kind });
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    await h.database.truncate();
  });

  it('keeps the newest messages of a 2,500-message thread and says on the summary how many were left out', async () => {
    const chatter = 'we talked about it at length and agreed to look again next week, '.repeat(9);
    const lines: Array<[string, string]> = [[USERS.lead.id, 'Release planning for the spring launch']];
    for (let i = 1; i < 2_499; i++) lines.push([i % 2 ? USERS.alice.id : USERS.bob.id, `${i}: ${chatter}`]);
    lines.push([USERS.alice.id, 'TODO: publish the final release notes for the spring launch']);

    const { threadTs, cards } = await h.extractThread(USERS.lead.id, lines);
    expect(cards.map((c) => c.text).join('\n')).toMatch(/release notes/i);
    const [summary] = h.botMessages(threadTs);
    const [discussion] = await h.database.db.select().from(schema.discussions);
    expect(discussion?.truncated).toBe(true);
    const left = 2_500 - (discussion?.messageCount ?? 0);
    expect(left).toBeGreaterThan(0);
    expect(textOf(summary)).toContain(`${left} messages of the thread were left out`);
  });

  it('looks up only a bounded number of made-up mentions, a few at a time', async () => {
    const invented = Array.from({ length: 2_000 }, (_, i) => `<@U9FAKE${String(i).padStart(5, '0')}>`).join(
      ' ',
    );
    const callsBefore = h.slack.calls('users.info').length;
    h.slack.setLatency('users.info', 5); // calls overlap, so the stand-in sees the bot's concurrency
    const { cards } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, 'Cleanup week'],
      [USERS.alice.id, `TODO: review access for ${invented}`],
    ]);
    expect(cards.length).toBeGreaterThan(0);
    const lookups = h.slack.calls('users.info').slice(callsBefore);
    // Two authors (maybe cached already) plus at most 20 mentioned ids; never one call per invented id.
    expect(lookups.length).toBeLessThanOrEqual(22);
    expect(new Set(lookups.map((c) => c.args.user)).size).toBe(lookups.length);
    expect(h.slack.peakConcurrency('users.info')).toBeLessThanOrEqual(4);
    h.slack.setLatency('users.info', 0);
  });
});

describe('extraction bounds, Claude (Anthropic stand-in)', () => {
  let h: Harness;
  let anthropic: AnthropicStandIn;

  beforeAll(async () => {
    anthropic = await startAnthropicStandIn({ apiKey: 'sk-ant-test' });
    h = await startHarness({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url } });
  });
  afterAll(async () => {
    await h.close();
    await anthropic.close();
  });

  it('posts the first 25 of 31 proposed tasks and says so on the summary everyone sees', async () => {
    const tasks = Array.from({ length: 31 }, (_, i) => ({
      title: `Fix the service number ${i + 1}`,
      description: `Service ${i + 1} is broken.`,
      acceptance_criteria: [`Service ${i + 1} works`],
      priority: 'MEDIUM',
      deadline: null,
      labels: ['bug'],
      assignee: null,
      source_message: 'M1',
      evidence: 'fix all the services',
    }));
    anthropic.enqueue({ kind: 'tool_use', input: { tasks } });
    const { threadTs, cards } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, 'We need to fix all the services'],
      [USERS.alice.id, 'yes, every one of them'],
    ]);
    expect(anthropic.pending()).toBe(0);
    expect(cards).toHaveLength(25);
    const [summary] = h.botMessages(threadTs);
    expect(textOf(summary)).toContain('31 tasks were proposed; only the first 25 are posted here');
  });
});
