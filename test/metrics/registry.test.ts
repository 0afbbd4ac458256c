import { describe, expect, it } from 'vitest';
import { Metrics, statusClass } from '../../src/metrics/registry.js';
import { deadlineFetch } from '../../src/services/deadline.js';

async function metricNames(metrics: Metrics): Promise<Map<string, string[]>> {
  const all = await metrics.registry.getMetricsAsJSON();
  return new Map(
    all.map((m) => [m.name, [...new Set(m.values.flatMap((v) => Object.keys(v.labels)))].sort()]),
  );
}

describe('metrics', () => {
  it('exposes every series the operator guide names, with their labels', async () => {
    const metrics = new Metrics();
    metrics.observeAck('command', 0.01);
    metrics.recordCall('slack', 200);
    metrics.recordCall('github', 429);
    metrics.recordExtraction({
      extractor: 'claude',
      outcome: 'ok',
      seconds: 2,
      inputTokens: 100,
      outputTokens: 20,
      costUsd: 0.01,
      model: 'claude-x',
    });
    metrics.recordStep('ticket', 'succeeded', 0.5);
    metrics.recordRun('succeeded', 1);
    metrics.readQueueFrom(async () => ({ pendingSteps: 3, oldestPendingSeconds: 42 }));
    const names = await metricNames(metrics);
    expect(names.get('orchestrator_slack_ack_seconds')).toContain('surface');
    expect(names.get('orchestrator_extraction_seconds')).toEqual(
      expect.arrayContaining(['extractor', 'outcome']),
    );
    expect(names.get('orchestrator_extraction_tokens_total')).toEqual(['direction']);
    expect(names.get('orchestrator_run_seconds')).toContain('outcome');
    expect(names.get('orchestrator_step_seconds')).toEqual(expect.arrayContaining(['agent', 'outcome']));
    expect(names.get('orchestrator_outbound_calls_total')).toEqual(['service', 'status_class']);
    expect(names.get('orchestrator_outbound_rate_limited_total')).toEqual(['service']);
    expect(names.get('orchestrator_llm_cost_usd_total')).toEqual(['model']);
    const text = await metrics.text();
    expect(text).toContain('orchestrator_queue_pending_steps 3');
    expect(text).toContain('orchestrator_queue_oldest_pending_step_seconds 42');
    expect(text).toContain('orchestrator_llm_cost_usd_total{model="claude-x"} 0.01');
  });

  it('counts a 429 as a 4xx call and as rate limited, and a network failure as error', async () => {
    const metrics = new Metrics();
    metrics.recordCall('slack', 429);
    metrics.recordCall('slack', 200);
    metrics.recordCall('anthropic', undefined);
    const text = await metrics.text();
    expect(text).toContain('orchestrator_outbound_calls_total{service="slack",status_class="4xx"} 1');
    expect(text).toContain('orchestrator_outbound_calls_total{service="slack",status_class="2xx"} 1');
    expect(text).toContain('orchestrator_outbound_rate_limited_total{service="slack"} 1');
    expect(text).toContain('orchestrator_outbound_calls_total{service="anthropic",status_class="error"} 1');
    expect(text).not.toContain('orchestrator_outbound_rate_limited_total{service="anthropic"}');
  });

  it('sees the status of every call made through the deadline fetch', async () => {
    const metrics = new Metrics();
    const base = (async () => new Response('slow down', { status: 429 })) as typeof fetch;
    const fetchWithMetrics = deadlineFetch('GitHub', 5_000, base, (s) => metrics.recordCall('github', s));
    const response = await fetchWithMetrics('http://127.0.0.1/');
    expect(response.status).toBe(429);
    expect(await metrics.text()).toContain('orchestrator_outbound_rate_limited_total{service="github"} 1');
  });

  it('classes statuses', () => {
    expect(statusClass(204)).toBe('2xx');
    expect(statusClass(503)).toBe('5xx');
    expect(statusClass(undefined)).toBe('error');
    expect(statusClass(42)).toBe('error');
  });
});
