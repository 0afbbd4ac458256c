import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClaudeExtractor } from '../../src/agents/discussion-claude.js';
import { createRulesExtractor } from '../../src/agents/discussion-rules.js';
import { loadConfig } from '../../src/config.js';
import type { Extractor } from '../../src/domain/extraction.js';
import { createLogger } from '../../src/logger.js';
import { createAnthropicClient } from '../../src/services/anthropic.js';
import { loadDataset, SPLITS, type Split } from './dataset.js';
import { formatRun } from './report.js';
import { runEval } from './run.js';

/**
 * `npm run eval:extraction` — scores an extractor on the labelled set (eval/extraction/README.md).
 *
 *   --split dev|heldout|all   which part (default dev; held-out is for the final measurement)
 *   --extractor rules|claude  default: claude when ANTHROPIC_API_KEY (or CLAUDE_API_KEY) is set, else rules
 *   --details                 every miss, false positive and wrong owner/deadline
 *   --breakdown               metrics per kind of conversation and per language
 *   --json FILE               the metrics as JSON
 *   --concurrency N           parallel Claude calls (default 4)
 */

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'dev' },
    extractor: { type: 'string' },
    details: { type: 'boolean', default: false },
    breakdown: { type: 'boolean', default: false },
    json: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
  },
});

const splits: Split[] =
  values.split === 'all'
    ? [...SPLITS]
    : SPLITS.includes(values.split as Split)
      ? [values.split as Split]
      : [];
if (splits.length === 0) {
  console.error(`--split must be dev, heldout or all (got ${values.split})`);
  process.exit(2);
}

const config = loadConfig();
const kind = values.extractor ?? (config.anthropic.apiKey ? 'claude' : 'rules');
let extractor: Extractor;
if (kind === 'claude') {
  const client = createAnthropicClient({
    apiKey: config.anthropic.apiKey,
    ...(config.anthropic.baseUrl ? { baseUrl: config.anthropic.baseUrl } : {}),
  });
  if (!client) {
    console.error('--extractor claude needs ANTHROPIC_API_KEY');
    process.exit(2);
  }
  extractor = createClaudeExtractor({
    client,
    model: config.anthropic.model,
    logger: createLogger({ level: 'warn' }),
  });
} else if (kind === 'rules') {
  extractor = createRulesExtractor();
} else {
  console.error(`--extractor must be rules or claude (got ${kind})`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
for (const split of splits) {
  const conversations = loadDataset([split]);
  const run = await runEval(extractor, conversations, {
    concurrency: kind === 'claude' ? Number(values.concurrency) : 1,
  });
  console.log(formatRun(`${split} (${conversations.length} conversations)`, run, values));
  console.log('');
  results[split] = { metrics: run.metrics, usage: run.usage, failures: run.failures };
}
if (values.json)
  writeFileSync(values.json, `${JSON.stringify({ extractor: extractor.name, ...results }, null, 2)}\n`);
