import type { Priority } from './task.js';

/** One message of the discussion, as the extractor sees it. */
export interface ThreadMessage {
  ts: string;
  /** Slack user id of the author; null for bots or free text. */
  user: string | null;
  /** Display name, resolved once by the thread reader. */
  userName: string;
  text: string;
  permalink: string | null;
}

export interface ExtractionInput {
  messages: ThreadMessage[];
  source: 'thread' | 'text';
}

/** What an extractor proposes for one task (before a person edits it). */
export interface ExtractedTask {
  title: string;
  description: string;
  acceptanceCriteria: string[];
  priority: Priority;
  /** As said in the thread (ISO date when it could be resolved), else null. */
  deadline: string | null;
  labels: string[];
  /** Slack user id of someone who wrote in the thread; never invented. */
  assignee: string | null;
  /** A one-line quote or a message permalink that shows where the task came from. */
  evidence: string;
  /**
   * `ts` of the thread messages the task comes from (the ask, and any message that repeated or
   * accepted it), oldest first. Empty when the extractor could not tell.
   */
  evidenceTs?: string[];
}

export interface ExtractionResult {
  tasks: ExtractedTask[];
  /** Model name (e.g. claude-sonnet-4-6) or 'rules'. */
  extractor: string;
  /** True when the thread was cut to the token budget. */
  truncated: boolean;
  /** How many messages were left out by the cut. */
  omittedMessages: number;
  usage: ExtractionUsage;
  /**
   * Something the requester should know about how the thread was read, shown on the summary
   * (e.g. "the rules read English only"). Absent when there is nothing to say.
   */
  notice?: string;
}

export interface ExtractionUsage {
  /** Input tokens billed at the base rate (not read from or written to the prompt cache). */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens written to the prompt cache (billed above the base rate). */
  cacheWriteTokens?: number;
  /** Input tokens read from the prompt cache (billed at a fraction of the base rate). */
  cacheReadTokens?: number;
  /** Estimated cost in US dollars from the model's list price; null when the model's price is unknown. */
  costUsd?: number | null;
}

export interface Extractor {
  readonly name: string;
  extract(input: ExtractionInput, signal?: AbortSignal): Promise<ExtractionResult>;
}

/** Extraction failed in a way the user should hear about; `message` is safe to show in Slack. */
export class ExtractionError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'ExtractionError';
  }
}
