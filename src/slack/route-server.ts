import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { SlackAppOptions } from './app.js';

/** A small HTTP server for our own routes (/healthz, the sandbox page) when Bolt's receiver does not serve them. */

type Route = NonNullable<SlackAppOptions['extraRoutes']>[number];

/** Serves routes as Bolt's receivers do: `/path/:param` segments land in `req.params`; anything else is a 404. */
export function routeHandler(routes: Route[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.split('/');
    for (const route of routes) {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) =>
        m.toUpperCase(),
      );
      const pattern = route.path.split('/');
      if (!methods.includes(method) || pattern.length !== path.length) continue;
      const params: Record<string, string> = {};
      const matches = pattern.every((part, i) => {
        const actual = path[i] ?? '';
        if (!part.startsWith(':')) return part === actual;
        const value = decoded(actual);
        if (value === undefined || value === '') return false;
        params[part.slice(1)] = value;
        return true;
      });
      if (matches) {
        route.handler(Object.assign(req, { params }), res);
        return;
      }
    }
    res.writeHead(404);
    res.end();
  };
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
