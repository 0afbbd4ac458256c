import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../eval/extraction/dataset.js';
import { formatRun } from '../../eval/extraction/report.js';
import { runEval } from '../../eval/extraction/run.js';
import { createClaudeExtractor } from '../../src/agents/discussion-claude.js';
import { createLogger } from '../../src/logger.js';
import { createAnthropicClient } from '../../src/services/anthropic.js';
import { type AnthropicStandIn, startAnthropicStandIn } from '../support/anthropic-standin.js';

/**
 * The Claude path of `npm run eval:extraction`, wired end to end against the Anthropic stand-in:
 * the real SDK, the real prompt, scripted answers. It measures the wiring (message ids back to
 * Slack timestamps, owners, usage and cost), not Claude; README says how to run it against the API.
 */
describe('eval:extraction with Claude (stand-in)', () => {
  let standIn: AnthropicStandIn;
  beforeEach(async () => {
    standIn = await startAnthropicStandIn();
  });
  afterEach(async () => {
    await standIn.close();
  });

  it('scores what the model cites by message id, and totals tokens and cost', async () => {
    const ids = ['inc-checkout-502', 'inc-disk-full-db-replica', 'de-deployment-fehler'];
    const conversations = loadDataset(['dev']).filter((c) => ids.includes(c.id));
    expect(conversations.map((c) => c.id)).toEqual(ids);
    const answer = (
      tasks: Array<{ title: string; cites: string[]; assignee: string | null; deadline: string | null }>,
    ) => ({
      kind: 'tool_use' as const,
      usage: {
        input_tokens: 900,
        output_tokens: 300,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 2000,
      },
      input: {
        tasks: tasks.map((t) => ({
          title: t.title,
          description: 'From the thread.',
          acceptance_criteria: ['Done'],
          priority: 'MEDIUM',
          deadline: t.deadline,
          labels: [],
          assignee: t.assignee,
          source_messages: t.cites,
          evidence: 'quote',
        })),
      },
    });
    standIn.enqueue(
      answer([
        { title: 'Write up the incident', cites: ['M5', 'M6'], assignee: 'U02TOM', deadline: '2026-11-25' },
        { title: 'Add a 5xx alert', cites: ['M7'], assignee: 'U02RAJ', deadline: null },
        { title: 'Made up', cites: ['M1'], assignee: 'U9NOBODY', deadline: null },
      ]),
      answer([]),
      answer([
        { title: 'Export-Fehler beheben', cites: ['M2'], assignee: 'U110BERND', deadline: '2026-11-25' },
      ]),
    );
    const client = createAnthropicClient({ apiKey: standIn.apiKey, baseUrl: standIn.url, maxRetries: 0 })!;
    const extractor = createClaudeExtractor({
      client,
      model: 'claude-sonnet-4-5',
      logger: createLogger({ level: 'silent' }),
    });

    const run = await runEval(extractor, conversations);

    expect(run.failures).toEqual([]);
    expect(run.metrics).toMatchObject({
      gold: 5,
      predicted: 4,
      matched: 3,
      falseAlarms: 0,
      noItemConversations: 1,
    });
    expect(run.metrics.ownerAccuracy).toBe(1);
    expect(run.byLanguage.get('de')).toMatchObject({ matched: 1, gold: 3 });
    // 3 calls × (900 × $3 + 2000 × $0.30 + 300 × $15) per million.
    expect(run.usage).toMatchObject({ inputTokens: 2700, outputTokens: 900, cacheReadTokens: 6000 });
    expect(run.usage.costUsd).toBeCloseTo(0.0234, 10);
    expect(formatRun('dev', run)).toMatch(/cost \$0\.0234/);
    for (const request of standIn.requests) {
      expect(JSON.stringify(request.body.system)).toContain('"cache_control":{"type":"ephemeral"}');
    }
  });
});
