/**
 * Server-sent events for the sandbox page: every change in the workspace bumps a version number, and
 * connected pages are told (coalesced, so a burst of card updates is one notice) to fetch the new state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const COALESCE_MS = 25;
const HEARTBEAT_MS = 20_000;

export class LiveUpdates {
  /** Each connected page with the version it was last told, so no page hears the same version twice. */
  private readonly clients = new Map<ServerResponse, number>();
  private versionNumber = 0;
  private pending: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor() {
    // A comment line now and then keeps proxies and idle timers from closing the stream.
    this.heartbeat = setInterval(() => {
      for (const res of this.clients.keys()) res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get version(): number {
    return this.versionNumber;
  }

  /** Something changed: bump the version and tell the pages soon. */
  changed(): void {
    this.versionNumber += 1;
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.broadcast();
    }, COALESCE_MS);
    this.pending.unref();
  }

  /** Serves GET /sandbox/events. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 1000\n${this.message()}`);
    this.clients.set(res, this.versionNumber);
    req.on('close', () => this.clients.delete(res));
  }

  /** Ends every stream, so the HTTP server can close. */
  close(): void {
    clearInterval(this.heartbeat);
    if (this.pending) clearTimeout(this.pending);
    for (const res of this.clients.keys()) res.end();
    this.clients.clear();
  }

  private message(): string {
    return `event: change\ndata: ${JSON.stringify({ version: this.versionNumber })}\n\n`;
  }

  private broadcast(): void {
    // A page that connected after the change was told this version on connecting already.
    const msg = this.message();
    for (const [res, told] of this.clients) {
      if (told === this.versionNumber) continue;
      res.write(msg);
      this.clients.set(res, this.versionNumber);
    }
  }
}
