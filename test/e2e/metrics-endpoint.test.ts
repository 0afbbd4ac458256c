import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { type Harness, startHarness } from '../support/harness.js';

/** GET /metrics is never served unauthenticated on the public Slack port (issue 13). */
describe('GET /metrics', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('is not on the Slack port without METRICS_TOKEN, and is on METRICS_PORT', async () => {
    const metricsPort = await freePort();
    harness = await startHarness({ env: { METRICS_PORT: String(metricsPort), HOST: '127.0.0.1' } });
    const publicAnswer = await fetch(`${harness.app.url}/metrics`);
    expect(publicAnswer.status).toBe(404);
    expect(await publicAnswer.text()).not.toContain('orchestrator_');
    const privateAnswer = await fetch(`http://127.0.0.1:${harness.app.metricsPort}/metrics`);
    expect(privateAnswer.status).toBe(200);
    expect(await privateAnswer.text()).toContain('orchestrator_queue_pending_steps');
  });

  it('on the Slack port with METRICS_TOKEN: 401 without the bearer or with a wrong one, 200 with it', async () => {
    const token = 'metrics-token-for-the-test-0123';
    harness = await startHarness({ env: { METRICS_TOKEN: token } });
    const none = await fetch(`${harness.app.url}/metrics`);
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain('orchestrator_');
    const wrong = await fetch(`${harness.app.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-for-the-test-XXXX' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${harness.app.url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(right.status).toBe(200);
    const text = await right.text();
    expect(text).toContain('orchestrator_slack_ack_seconds');
    expect(text).toContain('orchestrator_outbound_calls_total');
  });
});
