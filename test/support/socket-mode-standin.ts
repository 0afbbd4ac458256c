/**
 * Slack's side of Socket Mode, on 127.0.0.1: the app calls `apps.connections.open` on the Web API with its
 * app-level token (the Web API stand-in answers with `connectionUrl()`), opens the WebSocket, gets `hello`,
 * then receives envelopes (`events_api`, `slash_commands`, `interactive`) and answers each with an ack
 * `{ envelope_id, payload? }`. `disconnect` asks the app to open a fresh connection, as Slack does when it
 * recycles the server holding the socket.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface Ack {
  envelopeId: string;
  /** What the app sent back with its ack (a slash command's reply, a view submission's response_action); `{}` when nothing. */
  payload: Record<string, unknown>;
}

export interface SocketModeStandInOptions {
  appId?: string;
  /** How long `send` waits for the app's ack before it rejects (Slack itself waits 3 s, then retries). */
  ackTimeoutMs?: number;
}

/** An ack as the app sends it: anything else on the socket is a protocol error the test should see. */
const ackSchema = z.object({
  envelope_id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()).optional(),
});

interface Pending {
  resolve: (ack: Ack) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class SocketModeStandIn {
  /** Messages from the app that were not a valid ack of a pending envelope. */
  readonly protocolErrors: string[] = [];
  private readonly tickets = new Set<string>();
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly connectionWaiters: Array<{ count: number; resolve: () => void }> = [];
  private connectionCount = 0;
  private envelopeCounter = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly origin: string,
    private readonly appId: string,
    private readonly ackTimeoutMs: number,
  ) {}

  static async start(options: SocketModeStandInOptions = {}): Promise<SocketModeStandIn> {
    const http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('WebSocket only');
    });
    const wss = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = http.address() as AddressInfo;
    const standIn = new SocketModeStandIn(
      http,
      wss,
      `ws://127.0.0.1:${port}`,
      options.appId ?? 'A0SANDBOX',
      options.ackTimeoutMs ?? 10_000,
    );
    http.on('upgrade', (req, socket, head) => {
      // Like Slack's URLs, each one carries a one-time ticket: a connection without a fresh one is refused.
      const ticket = new URL(req.url ?? '/', standIn.origin).searchParams.get('ticket') ?? '';
      if (!standIn.tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => standIn.accept(ws));
    });
    return standIn;
  }

  /** A fresh WebSocket URL with a one-time ticket: what `apps.connections.open` answers. */
  connectionUrl(): string {
    const ticket = randomBytes(8).toString('hex');
    this.tickets.add(ticket);
    return `${this.origin}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** Connections accepted so far (a reconnect counts again). */
  get connections(): number {
    return this.connectionCount;
  }

  /** Open connections right now. */
  get openConnections(): number {
    return this.sockets.filter((s) => s.readyState === s.OPEN).length;
  }

  /** Resolves once `count` connections have been accepted in total (each has been sent `hello`). */
  waitForConnections(count: number): Promise<void> {
    if (this.connectionCount >= count) return Promise.resolve();
    return new Promise((resolve) => this.connectionWaiters.push({ count, resolve }));
  }

  /**
   * Pushes an envelope to the app over the newest open connection and resolves with its ack.
   * `accepts_response_payload` is true where Slack takes an answer in the ack (slash commands, interactions).
   */
  send(type: EnvelopeType, payload: Record<string, unknown>): Promise<Ack> {
    const socket = [...this.sockets].reverse().find((s) => s.readyState === s.OPEN);
    if (!socket) return Promise.reject(new Error('no open Socket Mode connection'));
    this.envelopeCounter += 1;
    const envelopeId = `${randomBytes(4).toString('hex')}-${String(this.envelopeCounter).padStart(4, '0')}`;
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
    };
    return new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(
          new Error(`the app did not ack ${type} envelope ${envelopeId} within ${this.ackTimeoutMs} ms`),
        );
      }, this.ackTimeoutMs);
      this.pending.set(envelopeId, { resolve, reject, timer });
      socket.send(JSON.stringify(envelope));
    });
  }

  slashCommand(payload: Record<string, string>): Promise<Ack> {
    return this.send('slash_commands', payload);
  }

  interactive(payload: Record<string, unknown>): Promise<Ack> {
    return this.send('interactive', payload);
  }

  /** `payload` is the `event_callback` envelope, as Slack would POST it in HTTP mode. */
  eventsApi(payload: Record<string, unknown>): Promise<Ack> {
    return this.send('events_api', payload);
  }

  /** Asks the app to reconnect (Slack sends this before it recycles a connection). */
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): void {
    for (const socket of this.sockets) {
      if (socket.readyState === socket.OPEN) {
        socket.send(
          JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'socket-mode-standin' } }),
        );
      }
    }
  }

  async close(): Promise<void> {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`Socket Mode stand-in closed before envelope ${id} was acked`));
    }
    this.pending.clear();
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private accept(ws: WebSocket): void {
    this.sockets.push(ws);
    this.connectionCount += 1;
    ws.on('message', (data, isBinary) => this.onMessage(data.toString(), isBinary));
    ws.on('close', () => {
      const i = this.sockets.indexOf(ws);
      if (i >= 0) this.sockets.splice(i, 1);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openConnections,
        debug_info: { host: 'socket-mode-standin', approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    for (const waiter of this.connectionWaiters.filter((w) => w.count <= this.connectionCount)) {
      this.connectionWaiters.splice(this.connectionWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private onMessage(text: string, isBinary: boolean): void {
    if (isBinary) {
      this.protocolErrors.push('binary message');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.protocolErrors.push(`not JSON: ${text}`);
      return;
    }
    const ack = ackSchema.safeParse(parsed);
    const pending = ack.success ? this.pending.get(ack.data.envelope_id) : undefined;
    if (!ack.success || !pending) {
      this.protocolErrors.push(`not an ack of a pending envelope: ${text}`);
      return;
    }
    clearTimeout(pending.timer);
    this.pending.delete(ack.data.envelope_id);
    pending.resolve({ envelopeId: ack.data.envelope_id, payload: ack.data.payload ?? {} });
  }
}
