import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The bot's Prometheus metrics (issue 13), on a registry of its own so tests and several bots in
 * one process (tests, benchmarks) never share counters. Names follow Prometheus conventions: base
 * units (seconds), `_total` on counters, a `orchestrator_` prefix.
 */
export type Surface = 'command' | 'shortcut' | 'event' | 'action' | 'view';
export type Service = 'slack' | 'github' | 'anthropic';

/** "2xx" … "5xx"; "error" when no HTTP status came back (network, timeout). */
export function statusClass(status: number | undefined): string {
  if (status === undefined || !Number.isFinite(status) || status < 100 || status > 599) return 'error';
  return `${Math.floor(status / 100)}xx`;
}

/** What the gauges read when Prometheus scrapes (the queue lives in the database). */
export interface QueueSnapshot {
  pendingSteps: number;
  /** Age of the oldest pending step in seconds; 0 when none is pending. */
  oldestPendingSeconds: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly ackSeconds: Histogram<'surface'>;
  readonly extractionSeconds: Histogram<'extractor' | 'outcome'>;
  readonly extractionTokens: Counter<'direction'>;
  readonly runSeconds: Histogram<'outcome'>;
  readonly stepSeconds: Histogram<'agent' | 'outcome'>;
  readonly queueDepth: Gauge;
  readonly oldestPendingStepSeconds: Gauge;
  readonly outboundCalls: Counter<'service' | 'status_class'>;
  readonly rateLimited: Counter<'service'>;
  readonly llmCostUsd: Counter<'model'>;
  private queueReader: (() => Promise<QueueSnapshot>) | undefined;

  constructor() {
    const registers = [this.registry];
    this.ackSeconds = new Histogram({
      name: 'orchestrator_slack_ack_seconds',
      help: 'Time from a Slack request reaching a listener to its ack, by surface.',
      labelNames: ['surface'],
      // Slack's budget is 3 s; the interesting range is well below it.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers,
    });
    this.extractionSeconds = new Histogram({
      name: 'orchestrator_extraction_seconds',
      help: 'Duration of one extraction (thread to task cards).',
      labelNames: ['extractor', 'outcome'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.extractionTokens = new Counter({
      name: 'orchestrator_extraction_tokens_total',
      help: 'LLM tokens used by extractions, by direction (input, output).',
      labelNames: ['direction'],
      registers,
    });
    this.runSeconds = new Histogram({
      name: 'orchestrator_run_seconds',
      help: 'Duration of a run from its first claim to its end, by outcome.',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'orchestrator_step_seconds',
      help: 'Duration of one step attempt, by agent and outcome.',
      labelNames: ['agent', 'outcome'],
      buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    });
    this.outboundCalls = new Counter({
      name: 'orchestrator_outbound_calls_total',
      help: 'Calls to Slack, GitHub and Anthropic, by status class (2xx…5xx, error when no response).',
      labelNames: ['service', 'status_class'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'orchestrator_outbound_rate_limited_total',
      help: 'Calls answered 429 (rate limited), by service.',
      labelNames: ['service'],
      registers,
    });
    this.llmCostUsd = new Counter({
      name: 'orchestrator_llm_cost_usd_total',
      help: 'Estimated LLM cost in US dollars, by model.',
      labelNames: ['model'],
      registers,
    });
    let snapshot: Promise<QueueSnapshot> | undefined;
    // Both gauges come from one query per scrape: the first collect() starts it, the second reuses it.
    const read = () => {
      snapshot ??= (
        this.queueReader?.() ?? Promise.resolve({ pendingSteps: 0, oldestPendingSeconds: 0 })
      ).finally(() => setImmediate(() => (snapshot = undefined)));
      return snapshot;
    };
    this.queueDepth = new Gauge({
      name: 'orchestrator_queue_pending_steps',
      help: 'Steps waiting to be claimed.',
      registers,
      async collect() {
        this.set((await read()).pendingSteps);
      },
    });
    this.oldestPendingStepSeconds = new Gauge({
      name: 'orchestrator_queue_oldest_pending_step_seconds',
      help: 'Age of the oldest step waiting to be claimed (0 when none).',
      registers,
      async collect() {
        this.set((await read()).oldestPendingSeconds);
      },
    });
  }

  /** Where the queue gauges read from (the database), set once the store is up. */
  readQueueFrom(reader: () => Promise<QueueSnapshot>): void {
    this.queueReader = reader;
  }

  observeAck(surface: Surface, seconds: number): void {
    this.ackSeconds.observe({ surface }, seconds);
  }

  /** One outside call and its HTTP status (undefined: no response came back). */
  recordCall(service: Service, status: number | undefined): void {
    this.outboundCalls.inc({ service, status_class: statusClass(status) });
    if (status === 429) this.rateLimited.inc({ service });
  }

  recordExtraction(args: {
    extractor: string;
    outcome: 'ok' | 'error';
    seconds: number;
    inputTokens?: number;
    outputTokens?: number;
    costUsd?: number;
    model?: string;
  }): void {
    this.extractionSeconds.observe({ extractor: args.extractor, outcome: args.outcome }, args.seconds);
    if (args.inputTokens) this.extractionTokens.inc({ direction: 'input' }, args.inputTokens);
    if (args.outputTokens) this.extractionTokens.inc({ direction: 'output' }, args.outputTokens);
    if (args.costUsd && args.model) this.llmCostUsd.inc({ model: args.model }, args.costUsd);
  }

  recordStep(agent: string, outcome: string, seconds: number): void {
    this.stepSeconds.observe({ agent, outcome }, seconds);
  }

  recordRun(outcome: string, seconds: number): void {
    this.runSeconds.observe({ outcome }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
