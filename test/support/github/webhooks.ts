import { createHmac, randomUUID } from 'node:crypto';
import type { Repo, StandInState } from './state.js';

/**
 * Webhook deliveries as GitHub sends them: POST to the configured URL with `x-github-event`,
 * `x-github-delivery` (a GUID), `x-hub-signature-256: sha256=HMAC-SHA256(secret, body)` (and
 * the legacy sha1 one), `x-github-hook-id`, `user-agent: GitHub-Hookshot/…`. Every event the
 * stand-in raises is kept in `events` (configured or not); each POST is one entry in
 * `deliveries`. `redeliver(id)` sends the same body with the same delivery id again, as
 * GitHub's "Redeliver" does. Deliveries go out one at a time in order; `flush()` waits for them.
 */

export interface WebhookEvent {
  /** The delivery GUID (`x-github-delivery`), kept across redeliveries. */
  id: string;
  event: string;
  action: string | undefined;
  payload: Record<string, unknown>;
  /** The exact bytes sent (and signed). */
  body: string;
}

export interface WebhookDelivery {
  id: string;
  event: string;
  action: string | undefined;
  redelivery: boolean;
  headers: Record<string, string>;
  /** The receiver's status; 0 when it could not be reached. */
  status: number;
  response: string;
}

export interface WebhookConfig {
  url: string;
  secret: string;
  /** Events to send; absent: all. */
  events?: string[];
  /** Sends the `x-hub-signature-256` header computed with this secret instead (a bad signature). */
  signWith?: string;
}

export const HOOK_ID = '424242';

/** GitHub's signature header value for a body: `sha256=<hex HMAC-SHA256>`. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class Webhooks {
  config: WebhookConfig | undefined;
  readonly events: WebhookEvent[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly state: StandInState) {}

  configure(config: WebhookConfig | undefined): void {
    this.config = config;
  }

  /** Raised by the routes: builds GitHub's envelope and sends it when a URL is configured. */
  raise(
    repo: Repo | undefined,
    event: string,
    payload: Record<string, unknown>,
    sender: string,
  ): WebhookEvent {
    const full: Record<string, unknown> = { ...payload };
    if (repo) full.repository = this.state.repoJson(repo);
    full.sender = this.state.user(sender);
    const record: WebhookEvent = {
      id: randomUUID(),
      event,
      action: typeof payload.action === 'string' ? payload.action : undefined,
      payload: full,
      body: JSON.stringify(full),
    };
    this.events.push(record);
    const wanted = this.config && (!this.config.events || this.config.events.includes(event));
    if (wanted) void this.send(record, false);
    return record;
  }

  /** Sends an event the test makes up (e.g. one the stand-in does not raise itself). */
  deliver(
    event: string,
    payload: Record<string, unknown>,
    options: { repo?: Repo; sender?: string } = {},
  ): Promise<WebhookDelivery> {
    const record = this.raiseQuietly(options.repo, event, payload, options.sender ?? 'octocat');
    return this.send(record, false);
  }

  /** Sends an earlier event again: same delivery id, same bytes. */
  redeliver(id: string): Promise<WebhookDelivery> {
    const record = this.events.find((e) => e.id === id);
    if (!record) throw new Error(`no webhook event ${id}`);
    return this.send(record, true);
  }

  /** Waits until every delivery queued so far has been answered. */
  async flush(): Promise<void> {
    let last: Promise<unknown> | undefined;
    while (last !== this.queue) {
      last = this.queue;
      await last;
    }
  }

  private raiseQuietly(
    repo: Repo | undefined,
    event: string,
    payload: Record<string, unknown>,
    sender: string,
  ): WebhookEvent {
    const config = this.config;
    this.config = undefined;
    try {
      return this.raise(repo, event, payload, sender);
    } finally {
      this.config = config;
    }
  }

  private send(record: WebhookEvent, redelivery: boolean): Promise<WebhookDelivery> {
    const config = this.config;
    if (!config) throw new Error('webhooks are not configured (call webhooks.configure first)');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/standin',
      'x-github-event': record.event,
      'x-github-delivery': record.id,
      'x-github-hook-id': HOOK_ID,
      'x-github-hook-installation-target-type': 'repository',
      'x-hub-signature-256': signWebhook(config.signWith ?? config.secret, record.body),
      'x-hub-signature': `sha1=${createHmac('sha1', config.signWith ?? config.secret)
        .update(record.body)
        .digest('hex')}`,
    };
    const attempt = async (): Promise<WebhookDelivery> => {
      const delivery: WebhookDelivery = {
        id: record.id,
        event: record.event,
        action: record.action,
        redelivery,
        headers,
        status: 0,
        response: '',
      };
      try {
        const res = await fetch(config.url, { method: 'POST', headers, body: record.body });
        delivery.status = res.status;
        delivery.response = await res.text();
      } catch (err) {
        delivery.response = String(err);
      }
      this.deliveries.push(delivery);
      return delivery;
    };
    const next = this.queue.then(attempt, attempt);
    this.queue = next;
    return next;
  }
}
