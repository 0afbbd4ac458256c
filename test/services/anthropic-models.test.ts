import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createClaudeExtractor } from '../../src/agents/discussion-claude.js';
import { loadConfig } from '../../src/config.js';
import { ExtractionError } from '../../src/domain/extraction.js';
import { createLogger } from '../../src/logger.js';
import { createAnthropicClient } from '../../src/services/anthropic.js';
import {
  DEFAULT_ANTHROPIC_MODEL,
  modelStatus,
  parseEndOfLife,
  reportModelStatus,
  sdkDeprecatedModels,
} from '../../src/services/anthropic-models.js';
import { type AnthropicStandIn, startAnthropicStandIn } from '../support/anthropic-standin.js';

function capture() {
  const lines: Array<{ level: number; msg: string; model?: string; endOfLife?: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug' }, destination) };
}

describe('the Claude model and its end of life', () => {
  it("reads the installed SDK's deprecation table", () => {
    const table = sdkDeprecatedModels();
    expect(table['claude-sonnet-4-5']).toBeDefined();
    expect(parseEndOfLife(table['claude-sonnet-4-5'] ?? '')).toBe('2026-11-30');
  });

  it('the default model is current by that table, today and in the config', () => {
    expect(loadConfig({}).anthropic.model).toBe(DEFAULT_ANTHROPIC_MODEL);
    expect(modelStatus(loadConfig({}).anthropic.model)).toEqual({ kind: 'current' });
  });

  it('deprecated before its date, retired from its day on', () => {
    const table = { 'claude-old': 'November 30th, 2026' };
    expect(modelStatus('claude-old', new Date('2026-11-29T23:59:59Z'), table)).toEqual({
      kind: 'deprecated',
      endOfLife: '2026-11-30',
    });
    expect(modelStatus('claude-old', new Date('2026-11-30T00:00:00Z'), table)).toEqual({
      kind: 'retired',
      endOfLife: '2026-11-30',
    });
    expect(modelStatus('claude-new', new Date(), table)).toEqual({ kind: 'current' });
    expect(parseEndOfLife('January 22nd, 2027')).toBe('2027-01-22');
    expect(parseEndOfLife('2027-03-01')).toBe('2027-03-01');
    expect(parseEndOfLife('soon')).toBeNull();
  });

  it('start-up says so through pino: a warning when deprecated, an error when retired, nothing when current', () => {
    const table = { 'claude-old': 'November 30th, 2026' };
    const { lines, logger } = capture();
    reportModelStatus('claude-old', logger, new Date('2026-10-01T00:00:00Z'), table);
    reportModelStatus('claude-old', logger, new Date('2026-12-01T00:00:00Z'), table);
    reportModelStatus('claude-new', logger, new Date('2026-12-01T00:00:00Z'), table);
    expect(lines.map((l) => [l.level, l.model, l.endOfLife])).toEqual([
      [40, 'claude-old', '2026-11-30'],
      [50, 'claude-old', '2026-11-30'],
    ]);
    for (const line of lines) expect(line.msg).toContain('set ANTHROPIC_MODEL');
  });
});

describe('an extraction the API refuses for its model', () => {
  let anthropic: AnthropicStandIn;
  afterEach(async () => anthropic.close());

  async function extractWith(model: string): Promise<unknown> {
    const client = createAnthropicClient({ apiKey: anthropic.apiKey, baseUrl: anthropic.url, maxRetries: 0 });
    if (!client) throw new Error('no client');
    const extractor = createClaudeExtractor({ client, model, logger: createLogger({ level: 'silent' }) });
    return extractor
      .extract({
        messages: [
          { ts: '1.000001', user: 'U1', userName: 'Ann', text: 'We need to fix login.', permalink: null },
        ],
        source: 'thread',
      })
      .catch((e: unknown) => e);
  }

  it('404 not_found_error on the model: tells to set ANTHROPIC_MODEL', async () => {
    anthropic = await startAnthropicStandIn({ models: [DEFAULT_ANTHROPIC_MODEL] });
    const error = await extractWith('claude-sonnet-3-retired');
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as Error).message).toMatch(/claude-sonnet-3-retired.*\(404\): set ANTHROPIC_MODEL/);
  });

  it('400 naming the model: the same advice', async () => {
    anthropic = await startAnthropicStandIn();
    anthropic.enqueue({ kind: 'error', status: 400, message: 'model: claude-x is not a valid model name' });
    const error = await extractWith('claude-x');
    expect((error as Error).message).toMatch(/\(400\): set ANTHROPIC_MODEL/);
  });

  it('another 400 keeps the API’s own words', async () => {
    anthropic = await startAnthropicStandIn();
    anthropic.enqueue({ kind: 'error', status: 400, message: 'prompt is too long' });
    const error = await extractWith(DEFAULT_ANTHROPIC_MODEL);
    expect((error as Error).message).toContain('prompt is too long');
    expect((error as Error).message).not.toContain('ANTHROPIC_MODEL');
  });
});
