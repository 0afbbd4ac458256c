import { Agent, createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 that holds every request for `delayMs` before forwarding it to
 * `target` (same path and headers): network latency in front of a stand-in that has no delay
 * option of its own (the Slack Web API stand-in). `delayMs` may change between phases.
 */
export interface LatencyProxy {
  url: string;
  delayMs: number;
  /** Requests forwarded so far, in all and by path (e.g. `/api/chat.update`). */
  counter(): { total: number; byPath: Record<string, number> };
  close(): Promise<void>;
}

export async function startLatencyProxy(target: string, delayMs = 0): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const byPath: Record<string, number> = {};
  let total = 0;
  const server = createServer((req, res) => {
    total++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    byPath[path] = (byPath[path] ?? 0) + 1;
    void (async () => {
      const body = await readAll(req);
      if (proxy.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, proxy.delayMs));
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host, 'content-length': String(body.length) },
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forwarded.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: LatencyProxy = {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    delayMs,
    counter: () => ({ total, byPath: { ...byPath } }),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
