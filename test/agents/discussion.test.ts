import { describe, expect, it } from 'vitest';
import { createExtractor } from '../../src/agents/discussion.js';
import { mergeDuplicateTasks, normaliseTitle, titlesMatch } from '../../src/agents/discussion-schema.js';
import type { ExtractedTask } from '../../src/domain/extraction.js';
import { createLogger } from '../../src/logger.js';
import { createAnthropicClient } from '../../src/services/anthropic.js';
import { startAnthropicStandIn } from '../support/anthropic-standin.js';

const logger = createLogger({ level: 'silent' });

function task(over: Partial<ExtractedTask>): ExtractedTask {
  return {
    title: 'Title',
    description: 'Description',
    acceptanceCriteria: ['Works'],
    priority: 'MEDIUM',
    deadline: null,
    labels: [],
    assignee: null,
    evidence: 'quote',
    ...over,
  };
}

describe('createExtractor', () => {
  it('uses rules without an Anthropic client', async () => {
    const extractor = createExtractor({ anthropic: null, model: 'claude-sonnet-4-5', logger });
    expect(extractor.name).toBe('rules');
    const result = await extractor.extract({
      messages: [
        { ts: '1.0', user: 'U1', userName: 'Ann', text: 'TODO: add a health check', permalink: null },
      ],
      source: 'thread',
    });
    expect(result.extractor).toBe('rules');
    expect(result.tasks.map((t) => t.title)).toEqual(['Add a health check']);
  });

  it('uses Claude with a client, within the given token budget', async () => {
    const standIn = await startAnthropicStandIn();
    try {
      standIn.enqueue({ kind: 'tool_use', input: { tasks: [] } });
      const anthropic = createAnthropicClient({
        apiKey: standIn.apiKey,
        baseUrl: standIn.url,
        maxRetries: 0,
      });
      const extractor = createExtractor({ anthropic, model: 'claude-x', logger, tokenBudget: 200 });
      expect(extractor.name).toBe('claude-x');
      const messages = Array.from({ length: 30 }, (_, i) => ({
        ts: `${i}.0`,
        user: 'U1',
        userName: 'Ann',
        text: `note ${i} ${'z'.repeat(100)}`,
        permalink: null,
      }));
      const result = await extractor.extract({ messages, source: 'thread' });
      expect(result.extractor).toBe('claude-x');
      expect(result.truncated).toBe(true);
      expect(result.omittedMessages).toBeGreaterThan(20);
      expect(standIn.requests).toHaveLength(1);
    } finally {
      await standIn.close();
    }
  });
});

describe('duplicate tasks', () => {
  it('normalises titles ignoring case, punctuation and whitespace', () => {
    expect(normaliseTitle('  Fix the LOGIN-redirect!!  on   Safari. ')).toBe(
      'fix the login redirect on safari',
    );
    expect(titlesMatch('Fix the login redirect on Safari', 'fix the login-redirect on safari!')).toBe(true);
  });

  it('treats very similar titles as one and different ones as two', () => {
    expect(titlesMatch('Fix the login bug on Safari', 'Fix login bug in Safari')).toBe(true);
    expect(titlesMatch('Add alerts for checkout errors', 'Add an alert for checkout errors')).toBe(true);
    expect(titlesMatch('Fix the login bug on Safari', 'Fix the login bug on Firefox')).toBe(false);
    expect(titlesMatch('Add tests', 'Add docs')).toBe(false);
  });

  it('merges into the first: criteria and labels unioned, highest priority, first known deadline and assignee', () => {
    const merged = mergeDuplicateTasks([
      task({ title: 'Fix login bug', acceptanceCriteria: ['Login works'], labels: ['bug'], priority: 'LOW' }),
      task({ title: 'Write docs', priority: 'MEDIUM' }),
      task({
        title: 'fix LOGIN bug.',
        acceptanceCriteria: ['login works', 'Has a test'],
        labels: ['Bug', 'test'],
        priority: 'HIGH',
        deadline: 'Friday',
        assignee: 'U2',
      }),
      task({ title: 'Fix the login bug', priority: 'MEDIUM', assignee: 'U3' }),
    ]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toEqual(
      task({
        title: 'Fix login bug',
        acceptanceCriteria: ['Login works', 'Has a test', 'Works'],
        labels: ['bug', 'test'],
        priority: 'HIGH',
        deadline: 'Friday',
        assignee: 'U2',
      }),
    );
    expect(merged[1]!.title).toBe('Write docs');
  });
});
