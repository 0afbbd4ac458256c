/**
 * `POST /github/webhooks`: GitHub's signed deliveries. Fails closed: without a secret every
 * delivery is refused (503), a missing or wrong `x-hub-signature-256` is a 401, a body over the
 * limit a 413. A verified delivery is answered 202 at once and processed afterwards (GitHub gives
 * a receiver 10 seconds), so a slow subscriber never makes GitHub mark the delivery failed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import type { Logger } from '../logger.js';
import { stamp } from './events.js';
import type { GitHubEventIntake } from './intake.js';
import { normaliseWebhook } from './payloads.js';

export const WEBHOOK_PATH = '/github/webhooks';
/** GitHub caps payloads at 25 MB; the events we follow are far smaller (a large push is not one of them). */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

export interface WebhookRouteOptions {
  /** Unset: every delivery is refused. */
  secret: string | undefined;
  intake: GitHubEventIntake;
  logger: Logger;
  /** Runs the work after the answer (tracked so shutdown and tests can wait for it). */
  track: (work: Promise<unknown>) => void;
  maxBytes?: number;
}

class TooLarge extends Error {}

function readRaw(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new TooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function webhookRoute(options: WebhookRouteOptions) {
  const { secret, intake, logger } = options;
  const maxBytes = options.maxBytes ?? WEBHOOK_MAX_BYTES;
  const verifier = secret ? new Webhooks({ secret }) : undefined;
  const log = logger.child({ component: 'github-webhooks' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!verifier) {
      req.resume();
      answer(res, 503, { error: 'GitHub webhooks are off: GITHUB_WEBHOOK_SECRET is not set' });
      return;
    }
    let body: string;
    try {
      body = await readRaw(req, maxBytes);
    } catch (err) {
      if (err instanceof TooLarge) {
        answer(res, 413, { error: `payload larger than ${maxBytes} bytes` });
        return;
      }
      throw err;
    }
    const signature = header(req, 'x-hub-signature-256');
    if (!signature || !(await verifier.verify(body, signature).catch(() => false))) {
      log.warn({ delivery: header(req, 'x-github-delivery') }, 'GitHub webhook with a bad signature refused');
      answer(res, 401, { error: 'bad signature' });
      return;
    }
    const eventName = header(req, 'x-github-event');
    const deliveryId = header(req, 'x-github-delivery') ?? null;
    if (!eventName) {
      answer(res, 400, { error: 'missing x-github-event' });
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      answer(res, 400, { error: 'body is not JSON' });
      return;
    }
    if (eventName === 'ping') {
      answer(res, 200, { ok: true });
      return;
    }
    answer(res, 202, { ok: true });
    options.track(
      (async () => {
        const normalised = normaliseWebhook(eventName, payload);
        if ('ignored' in normalised) {
          log.debug(
            { delivery: deliveryId, event: eventName, reason: normalised.ignored },
            'delivery ignored',
          );
          return;
        }
        const result = await intake.accept(normalised.events.map((e) => stamp(e, 'webhook', deliveryId)));
        log.debug({ delivery: deliveryId, event: eventName, ...result }, 'delivery processed');
      })(),
    );
  };

  return {
    path: WEBHOOK_PATH,
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((err: unknown) => {
        log.error({ err }, 'GitHub webhook delivery failed');
        answer(res, 500, { error: 'internal error' });
      });
    },
  };
}
