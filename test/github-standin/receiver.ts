import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../src/sandbox/read-body.js';

/** A loopback webhook receiver that checks signatures as GitHub's docs say to, and keeps what came. */
export interface Received {
  event: string;
  delivery: string;
  validSignature: boolean;
  payload: Record<string, unknown>;
}

export async function startReceiver(secret: string) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const header = String(req.headers['x-hub-signature-256'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const validSignature =
        header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
      received.push({
        event: String(req.headers['x-github-event']),
        delivery: String(req.headers['x-github-delivery']),
        validSignature,
        payload: JSON.parse(body) as Record<string, unknown>,
      });
      res.writeHead(validSignature ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/github/webhooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
