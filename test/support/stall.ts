import type { ServerResponse } from 'node:http';

/**
 * How an HTTP stand-in can stall like a sick server or proxy:
 * - `hang`: the request is read, and nothing ever comes back (until the client gives up);
 * - `trickle`: the status line and headers come at once, then the body one byte every
 *   `intervalMs` — an idle timeout never fires, only an overall deadline ends it.
 */
export type Stall = { mode: 'hang' } | { mode: 'trickle'; intervalMs?: number };

const DEFAULT_TRICKLE_MS = 200;

/** Sends `body` one byte at a time; stops as soon as the client goes away. */
export function trickle(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string,
  intervalMs = DEFAULT_TRICKLE_MS,
): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { ...headers, 'content-length': bytes.length });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= bytes.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(bytes.subarray(sent, sent + 1));
    sent++;
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}
