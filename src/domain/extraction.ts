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
}

export interface ExtractionResult {
  tasks: ExtractedTask[];
  /** Model name (e.g. claude-sonnet-4-5) or 'rules'. */
  extractor: string;
  /** True when the thread was cut to the token budget. */
  truncated: boolean;
  /** How many messages were left out by the cut. */
  omittedMessages: number;
  usage: { inputTokens: number; outputTokens: number };
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
