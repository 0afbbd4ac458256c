import type Anthropic from '@anthropic-ai/sdk';
import type { Extractor } from '../domain/extraction.js';
import type { Logger } from '../logger.js';
import { createClaudeExtractor } from './discussion-claude.js';
import { createRulesExtractor } from './discussion-rules.js';

export { type ClaudeExtractorOptions, createClaudeExtractor } from './discussion-claude.js';
export { createRulesExtractor, RULES_EXTRACTOR_NAME } from './discussion-rules.js';

export interface ExtractorOptions {
  /** null when no API key is configured: the rule-based extractor is used instead. */
  anthropic: Anthropic | null;
  model: string;
  logger: Logger;
  /** Budget for the thread text sent to Claude, in estimated tokens. */
  tokenBudget?: number;
}

/** The discussion agent: Claude when a client is configured, rules otherwise. */
export function createExtractor(options: ExtractorOptions): Extractor {
  if (options.anthropic) {
    return createClaudeExtractor({
      client: options.anthropic,
      model: options.model,
      logger: options.logger,
      ...(options.tokenBudget === undefined ? {} : { tokenBudget: options.tokenBudget }),
    });
  }
  options.logger.info('no Anthropic API key: tasks are extracted with rules');
  return createRulesExtractor();
}
