/**
 * The stand-in's HTTP side: parses a Web API call (form or JSON, token in header or body), records it,
 * applies injected faults and latencies, dispatches to the method handlers, and writes the answer the way
 * Slack does — including a body that never comes (`hang`) or comes one byte at a time (`trickle`).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../read-body.js';
import { recordable } from './args.js';
import type { ResponseUrls } from './response-url.js';
import type { StandInState } from './state.js';
import {
  ApiError,
  type Handler,
  isObject,
  type Json,
  type RecordedCall,
  type Reply,
  type StandInFault,
} from './types.js';

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.stall?.stall === 'hang') return;
  const body = Buffer.from(JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    ...reply.headers,
  });
  if (reply.stall?.stall !== 'trickle') {
    res.end(body);
    return;
  }
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < body.length) res.write(body.subarray(sent, ++sent));
    else {
      clearInterval(timer);
      res.end();
    }
  }, reply.stall.trickleMs ?? 200);
  res.on('close', () => clearInterval(timer));
}

export class ApiTransport {
  readonly callList: RecordedCall[] = [];
  readonly faults = new Map<string, StandInFault[]>();
  readonly active = new Map<string, { now: number; peak: number }>();
  readonly latencies = new Map<string, number>();
  socketModeUrl: (() => string) | undefined;

  constructor(
    private readonly state: StandInState,
    private readonly handlers: Record<string, Handler>,
    private readonly responseUrls: ResponseUrls,
    private readonly maxRecordedCalls: number,
    socketModeUrl: (() => string) | undefined,
  ) {
    this.socketModeUrl = socketModeUrl;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.state.origin);
    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      const active = this.active.get(method) ?? { now: 0, peak: 0 };
      active.now += 1;
      active.peak = Math.max(active.peak, active.now);
      this.active.set(method, active);
      try {
        const raw = await readBody(req);
        const latency = this.latencies.get(method);
        if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
        send(res, this.handleApi(method, req, raw, url));
      } finally {
        active.now -= 1;
      }
      return;
    }
    const raw = await readBody(req);
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      send(res, this.responseUrls.handle(url, raw));
      return;
    }
    send(res, { status: 404, body: { ok: false, error: 'not_found' } });
  }

  private handleApi(method: string, req: IncomingMessage, raw: string, url: URL): Reply {
    const call: RecordedCall = { method, args: {}, at: this.state.now() };
    const reply = this.answerApi(call, method, req, raw, url);
    if (reply.body.ok === false) {
      call.error = String(reply.body.error);
      const meta = reply.body.response_metadata;
      const messages = isObject(meta) && Array.isArray(meta.messages) ? meta.messages.map(String) : [];
      if (messages.length > 0) call.errorMessages = messages;
      this.state.emit({ kind: 'api.error' });
    }
    return reply;
  }

  private answerApi(call: RecordedCall, method: string, req: IncomingMessage, raw: string, url: URL): Reply {
    let args: Json = {};
    let parseError: ApiError | undefined;
    try {
      args = parseRequestArgs(req, raw, url);
    } catch (err) {
      parseError = err instanceof ApiError ? err : new ApiError('invalid_form_data');
    }
    const bodyToken = typeof args.token === 'string' ? args.token : undefined;
    delete args.token;
    call.args = recordable(args);
    this.callList.push(call);
    if (this.callList.length > this.maxRecordedCalls) this.callList.shift();

    const fault = this.faults.get(method)?.shift();
    if (fault) return faultReply(fault);
    if (parseError) return { status: 200, body: { ok: false, error: parseError.code } };

    const auth = req.headers.authorization;
    const headerToken = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    const token = headerToken ?? bodyToken;
    if (token === undefined || token === '') return { status: 200, body: { ok: false, error: 'not_authed' } };
    if (method === 'apps.connections.open') return this.openSocketModeConnection(token, headerToken);
    if (token === this.state.appToken)
      return { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
    if (token !== this.state.token) return { status: 200, body: { ok: false, error: 'invalid_auth' } };

    const handler = this.handlers[method];
    if (!handler) return { status: 200, body: { ok: false, error: 'unknown_method' } };
    try {
      return { status: 200, body: { ok: true, ...handler(args) } };
    } catch (err) {
      if (err instanceof ApiError) return { status: 200, body: { ok: false, error: err.code, ...err.extra } };
      throw err;
    }
  }

  /**
   * `apps.connections.open`: only the app-level token, and only in the Authorization header (Slack refuses it
   * as a POST parameter); answers with a fresh WebSocket URL from the Socket Mode stand-in.
   */
  private openSocketModeConnection(token: string, headerToken: string | undefined): Reply {
    if (token === this.state.token)
      return { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
    if (token !== this.state.appToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    if (headerToken === undefined) return { status: 200, body: { ok: false, error: 'not_authed' } };
    if (!this.socketModeUrl) return { status: 200, body: { ok: false, error: 'access_denied' } };
    return { status: 200, body: { ok: true, url: this.socketModeUrl() } };
  }
}

function parseRequestArgs(req: IncomingMessage, raw: string, url: URL): Json {
  const args: Json = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (raw.length > 0) {
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new ApiError('invalid_json');
      }
      if (!isObject(parsed)) throw new ApiError('invalid_json');
      Object.assign(args, parsed);
    } else if (type === 'application/x-www-form-urlencoded' || type === '' || type === undefined) {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
    } else {
      throw new ApiError('invalid_form_data');
    }
  }
  return args;
}

function faultReply(fault: StandInFault): Reply {
  if (fault.stall) {
    const status = fault.status ?? 200;
    return { status, body: { ok: false, error: fault.error ?? 'fatal_error' }, stall: fault };
  }
  if (fault.status === 429) {
    return {
      status: 429,
      headers: { 'retry-after': String(fault.retryAfterSec ?? 1) },
      body: { ok: false, error: fault.error ?? 'ratelimited' },
    };
  }
  return { status: fault.status ?? 200, body: { ok: false, error: fault.error ?? 'fatal_error' } };
}
