import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SlackAppOptions } from '../slack/app.js';
import { close, listen, routeHandler } from '../slack/route-server.js';
import type { Metrics } from './registry.js';

type Route = NonNullable<SlackAppOptions['extraRoutes']>[number];

function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/i.exec(header);
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function serve(metrics: Metrics, res: ServerResponse): Promise<void> {
  try {
    const body = await metrics.text();
    res.writeHead(200, { 'content-type': metrics.contentType });
    res.end(body);
  } catch {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('metrics unavailable\n');
  }
}

/**
 * GET /metrics. With a token, only a request carrying `Authorization: Bearer <token>` gets them
 * (401 otherwise): that is how they may share the public Slack port. Without one the route must
 * only ever be mounted on the separate, private METRICS_PORT.
 */
export function metricsRoute(metrics: Metrics, token: string | undefined): Route {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      if (token !== undefined && !bearerMatches(req, token)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
        res.end('unauthorized\n');
        return;
      }
      void serve(metrics, res);
    },
  };
}

/** The separate metrics listener (METRICS_PORT): /metrics only, bearer-checked too when a token is set. */
export async function startMetricsServer(args: {
  metrics: Metrics;
  host: string;
  port: number;
  token: string | undefined;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(routeHandler([metricsRoute(args.metrics, args.token)]));
  await listen(server, args.port, args.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : args.port;
  return { port, close: () => close(server) };
}
