import type { AgentName } from '../domain/pipeline.js';
import type { TaskFields } from '../domain/task.js';
import type { Logger } from '../logger.js';

/** The task as an agent sees it: plain data, already edited and approved by people. */
export interface AgentTask extends TaskFields {
  id: string;
  /** Display name of the assignee, for text outside Slack. */
  assigneeName: string | null;
  /** Permalink of the Slack thread the task came from, if any. */
  threadLink: string | null;
  evidence: string | null;
}

/** What the ledger knows of one outside effect. */
export interface EffectRecord {
  status: 'started' | 'done';
  externalId: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * The runner's record of outside effects, keyed by idempotency key and kept in the database.
 * An agent notes `begin` before acting and `complete` right after, so after a crash or a retry
 * it can tell "done, never repeat" from "maybe done, check outside first".
 */
export interface EffectLedger {
  get(key: string): Promise<EffectRecord | null>;
  begin(key: string, kind: string): Promise<void>;
  complete(key: string, externalId: string | null, detail: Record<string, unknown>): Promise<void>;
}

export interface AgentContext {
  runId: string;
  /** `${runId}:${agent}`: the same across retries and processes. */
  idempotencyKey: string;
  /** 1 for the first try. */
  attempt: number;
  task: AgentTask;
  /** Outputs of the steps that already succeeded in this run, by agent name. */
  previous: Partial<Record<AgentName, Record<string, unknown>>>;
  signal: AbortSignal;
  logger: Logger;
  /** Absent in unit tests of a single agent; the runner always gives one. */
  effects?: EffectLedger;
}

export interface Agent {
  readonly name: AgentName;
  /** Makes the agent's effect at most once for `ctx.idempotencyKey`; returns JSON for the step's output. */
  run(ctx: AgentContext): Promise<Record<string, unknown>>;
}

/**
 * A failure an agent reports. `transient` may succeed on retry (network, 5xx, 429, SMTP 4xx);
 * `permanent` will not (401/403/404/422, SMTP 5xx, validation). `message` is shown on the card,
 * to the whole channel: it names no configuration variable and no internals. `detail`, when
 * set, is the actionable version for approvers ("… check GITHUB_TOKEN").
 */
export class AgentError extends Error {
  readonly detail: string | undefined;
  constructor(
    message: string,
    readonly kind: 'transient' | 'permanent',
    readonly options: { cause?: unknown; retryAfterMs?: number; detail?: string } = {},
  ) {
    super(message);
    this.name = 'AgentError';
    this.detail = options.detail;
  }
}

/** Output of the `ticket` agent. */
export interface TicketOutput extends Record<string, unknown> {
  dryRun: boolean;
  repo: string;
  number: number | null;
  url: string | null;
  title: string;
  /** Markdown body, kept for dry runs so the card and App Home can show a preview. */
  body: string | null;
  /** True when an issue with our marker already existed (no second issue was made). */
  reused: boolean;
}

/** Output of the `email` agent. */
export interface EmailOutput extends Record<string, unknown> {
  messageId: string;
  to: string;
  delivery: 'smtp' | 'outbox';
  /** Path of the .eml file when delivered to the outbox. */
  path: string | null;
}
