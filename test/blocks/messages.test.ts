import { describe, expect, it } from 'vitest';
import { buildNoticeMessage } from '../../src/slack/blocks/ephemeral.js';
import { buildHelpMessage } from '../../src/slack/blocks/help.js';
import type { SummaryModel } from '../../src/slack/blocks/models.js';
import { buildSummaryMessage } from '../../src/slack/blocks/summary.js';
import { assertMessageWithinSlackLimits, textsOf } from './limits-helper.js';

const summary = (o: Partial<SummaryModel> = {}): SummaryModel => ({
  taskCount: 5,
  proposedTaskCount: 5,
  messageCount: 23,
  extractor: 'claude-sonnet-4-5',
  truncated: false,
  omittedMessages: 0,
  requestedBy: 'U0LEAD',
  source: 'thread',
  ...o,
});

const all = (m: { text: string; blocks: unknown[] }) => [m.text, ...textsOf(m.blocks)].join('\n');

describe('summary message', () => {
  it('counts tasks and messages with the right plurals', () => {
    expect(buildSummaryMessage(summary()).text).toBe('5 tasks from 23 messages');
    expect(buildSummaryMessage(summary({ taskCount: 1, messageCount: 1 })).text).toBe(
      '1 task from 1 message',
    );
    expect(buildSummaryMessage(summary({ taskCount: 0, messageCount: 12 })).text).toBe(
      'No tasks found in 12 messages',
    );
    expect(buildSummaryMessage(summary({ taskCount: 2, source: 'text' })).text).toBe(
      '2 tasks from the text you gave',
    );
  });

  it('names the extractor and the requester, and says when the thread was cut', () => {
    const plain = all(buildSummaryMessage(summary()));
    expect(plain).toContain('Extracted by claude-sonnet-4-5');
    expect(plain).toContain('requested by <@U0LEAD>');
    expect(plain).not.toContain('cut to fit');
    const cut = all(
      buildSummaryMessage(summary({ extractor: 'rules', truncated: true, omittedMessages: 40 })),
    );
    expect(cut).toContain('Extracted by rules');
    expect(cut).toContain('40 messages of the thread were left out to fit');
    const one = all(buildSummaryMessage(summary({ truncated: true, omittedMessages: 1 })));
    expect(one).toContain('1 message of the thread was left out');
    const shortened = all(buildSummaryMessage(summary({ truncated: true, omittedMessages: 0 })));
    expect(shortened).toContain('a long message was shortened to fit');
  });

  it('says on the summary itself when more tasks were proposed than posted', () => {
    const m = buildSummaryMessage(summary({ taskCount: 25, proposedTaskCount: 31 }));
    assertMessageWithinSlackLimits(m);
    expect(all(m)).toContain('31 tasks were proposed; only the first 25 are posted here');
    expect(all(buildSummaryMessage(summary()))).not.toContain('were proposed');
  });

  it('stays within limits and inert with a hostile extractor name', () => {
    const m = buildSummaryMessage(
      summary({ extractor: `<!channel> ${'x'.repeat(10_000)}`, requestedBy: '<!here>' }),
    );
    assertMessageWithinSlackLimits(m);
    expect(all(m)).not.toMatch(/<!channel|<!here/);
  });
});

describe('help message', () => {
  it('explains every way to extract', () => {
    const m = buildHelpMessage();
    assertMessageWithinSlackLimits(m);
    const text = all(m);
    expect(text).toMatch(/`\/extract https:\/\/[^`]*slack\.com\/archives\/C[A-Z0-9]+\/p\d+`/);
    expect(text).toMatch(/`\/extract [A-Z][^`]+`/);
    expect(text).toContain('Extract tasks');
    expect(text).toContain('@Orchestrator extract');
  });
});

describe('notice message', () => {
  it.each(['error', 'info', 'working'] as const)('%s: one section with the text', (kind) => {
    const m = buildNoticeMessage(kind, 'I could not read that thread.');
    assertMessageWithinSlackLimits(m);
    expect(m.blocks).toHaveLength(1);
    expect(m.text).toBe('I could not read that thread.');
    expect(textsOf(m.blocks)[0]).toContain('I could not read that thread.');
  });

  it('marks kinds differently and survives empty or huge text', () => {
    const icons = (['error', 'info', 'working'] as const).map(
      (k) => textsOf(buildNoticeMessage(k, 'x').blocks)[0],
    );
    expect(new Set(icons).size).toBe(3);
    assertMessageWithinSlackLimits(buildNoticeMessage('error', ''));
    assertMessageWithinSlackLimits(buildNoticeMessage('info', 'y'.repeat(50_000)));
  });
});
