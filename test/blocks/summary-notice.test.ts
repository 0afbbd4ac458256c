import { describe, expect, it } from 'vitest';
import type { SummaryModel } from '../../src/slack/blocks/models.js';
import { buildSummaryMessage } from '../../src/slack/blocks/summary.js';
import { assertMessageWithinSlackLimits, textsOf } from './limits-helper.js';

const base: SummaryModel = {
  taskCount: 0,
  proposedTaskCount: 0,
  messageCount: 4,
  extractor: 'rules',
  truncated: false,
  omittedMessages: 0,
  requestedBy: 'U0LEAD',
  source: 'thread',
};

describe('summary notice from the extractor', () => {
  it('shows the notice on its own line, escaped, within Slack limits', () => {
    const message = buildSummaryMessage({
      ...base,
      notice: 'This thread looks like German: the rules read English only <b>&</b>.',
    });
    assertMessageWithinSlackLimits(message);
    expect(message.blocks).toHaveLength(3);
    const last = textsOf(message).at(-1)!;
    expect(last).toContain('This thread looks like German: the rules read English only');
    expect(last).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
  });

  it('adds nothing without a notice', () => {
    expect(buildSummaryMessage(base).blocks).toHaveLength(2);
  });
});
