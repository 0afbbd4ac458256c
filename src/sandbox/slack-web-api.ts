/**
 * A stateful stand-in for the Slack Web API, served over real HTTP so the real `@slack/web-api` client
 * (and so Bolt) can be pointed at it with `slackApiUrl`. It keeps channels, users, messages, threads,
 * ephemerals, modals, Home tabs, trigger ids and response URLs, answers the way Slack does (HTTP 200 with
 * `{ ok: false, error }`, 429 + Retry-After for rate limits), validates Block Kit with Slack's limits, and
 * records every call. Tests use it directly; the local sandbox workspace builds its browser page on it.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { validateMessageBlocks, validateView } from './block-validation.js';
import { readBody } from './read-body.js';

export interface StandInUser {
  id: string;
  name: string;
  realName?: string;
  displayName?: string;
  isBot?: boolean;
  /** Workspace admin / owner, as `users.info` reports them (who approves when no approvers are named). */
  isAdmin?: boolean;
  isOwner?: boolean;
}

export interface StandInMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user?: string;
  botId?: string;
  text: string;
  blocks?: unknown[];
  edited?: { user: string; ts: string };
}

export interface StandInChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  botIsMember: boolean;
  isIm: boolean;
  /** A group DM (is_mpim). */
  isMpim?: boolean;
  /** Who is in it (`conversations.members`); unset → every person of the workspace, and the bot when it is a member. */
  members?: string[];
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** Set when the call was refused (`{ ok: false, error }`), with Slack's explanation when it gave one. */
  error?: string;
  errorMessages?: string[];
}

export interface StandInEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
}

export interface StandInFault {
  status?: number;
  error?: string;
  retryAfterSec?: number;
  /**
   * `hang`: the call is never answered; `trickle`: the answer's headers come at once and its
   * body one byte every `trickleMs` (default 200) — as a sick server or proxy does.
   */
  stall?: 'hang' | 'trickle';
  trickleMs?: number;
}

export interface StandInChange {
  kind: string;
  channel?: string;
  ts?: string;
  userId?: string;
}

export interface StandInOptions {
  host?: string;
  port?: number;
  /** The accepted bot token. */
  token?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  /** How long a trigger id stays valid (Slack: 3 s). */
  triggerTtlMs?: number;
  /** Clock in epoch milliseconds; tests inject one to expire triggers without sleeping. */
  now?: () => number;
  /** Keep only the newest N recorded calls (a long-running sandbox); default: all. */
  maxRecordedCalls?: number;
  /** The accepted app-level token (`xapp-…`), valid for `apps.connections.open` only. */
  appToken?: string;
  /** The WebSocket URL `apps.connections.open` hands out (a Socket Mode stand-in's); unset → not offered. */
  socketModeUrl?: () => string;
}

/** What the stand-in holds about a view; `view` is the output shape Slack returns and sends in payloads. */
export interface StandInView {
  id: string;
  userId: string;
  kind: 'modal' | 'home';
  view: Record<string, unknown>;
}

type Json = Record<string, unknown>;

interface StoredMessage extends StandInMessage {
  subtype?: string;
}

interface ViewRecord {
  id: string;
  userId: string;
  kind: 'modal' | 'home';
  input: Json;
  hash: string;
  externalId?: string;
  rootViewId: string;
  previousViewId: string | null;
  state: Record<string, Record<string, unknown>>;
}

interface ResponseUrlRecord {
  channel: string;
  user: string;
  threadTs?: string;
  messageTs?: string;
  uses: number;
}

interface Reply {
  status: number;
  body: Json;
  headers?: Record<string, string>;
  stall?: Pick<StandInFault, 'stall' | 'trickleMs'>;
}

/** A Slack API error: answered as HTTP 200 `{ ok: false, error, ...extra }`. */
class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

const RESPONSE_URL_MAX_USES = 5; // Slack: a response_url takes up to 5 responses within 30 minutes
const VIEW_STACK_LIMIT = 3; // Slack: views.push fails with push_limit_reached past 3 views
const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata'] as const;

const boolArg = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1');
const limitArg = z.coerce.number().int().optional();

const S = {
  postMessage: z.looseObject({
    channel: z.string().default(''),
    text: z.string().optional(),
    thread_ts: z.string().optional(),
  }),
  update: z.looseObject({
    channel: z.string().default(''),
    ts: z.string().default(''),
    text: z.string().optional(),
  }),
  delete: z.looseObject({ channel: z.string().default(''), ts: z.string().default('') }),
  ephemeral: z.looseObject({
    channel: z.string().default(''),
    user: z.string().default(''),
    text: z.string().optional(),
    thread_ts: z.string().optional(),
  }),
  permalink: z.looseObject({ channel: z.string().default(''), message_ts: z.string().default('') }),
  replies: z.looseObject({
    channel: z.string().default(''),
    ts: z.string().default(''),
    limit: limitArg,
    cursor: z.string().optional(),
    oldest: z.string().optional(),
    latest: z.string().optional(),
    inclusive: boolArg.optional(),
  }),
  history: z.looseObject({
    channel: z.string().default(''),
    limit: limitArg,
    cursor: z.string().optional(),
    oldest: z.string().optional(),
    latest: z.string().optional(),
    inclusive: boolArg.optional(),
  }),
  info: z.looseObject({ channel: z.string().default('') }),
  members: z.looseObject({ channel: z.string().default(''), limit: limitArg, cursor: z.string().optional() }),
  usersInfo: z.looseObject({ user: z.string().default('') }),
  viewsOpen: z.looseObject({
    trigger_id: z.string().optional(),
    interactivity_pointer: z.string().optional(),
  }),
  viewsUpdate: z.looseObject({
    view_id: z.string().optional(),
    external_id: z.string().optional(),
    hash: z.string().optional(),
  }),
  viewsPublish: z.looseObject({ user_id: z.string().default(''), hash: z.string().optional() }),
  response: z.looseObject({
    text: z.string().optional(),
    blocks: z.unknown().optional(),
    response_type: z.enum(['ephemeral', 'in_channel']).optional(),
    replace_original: boolArg.optional(),
    delete_original: boolArg.optional(),
    thread_ts: z.string().optional(),
  }),
};

function parseArgs<T extends z.ZodType>(schema: T, args: Json): z.output<T> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const messages = result.error.issues.map((i) => `[ERROR] ${i.message} [json-pointer:/${i.path.join('/')}]`);
  throw new ApiError('invalid_arguments', { response_metadata: { messages } });
}

function tsValue(ts: string): number {
  const [sec = '0', micro = '0'] = ts.split('.');
  return Number(sec) * 1e6 + Number(micro.padEnd(6, '0').slice(0, 6));
}

function byTs(a: { ts: string }, b: { ts: string }): number {
  return tsValue(a.ts) - tsValue(b.ts);
}

function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^next_ts:(\d+\.\d+)$/.exec(decoded);
  if (!match?.[1]) throw new ApiError('invalid_cursor');
  return match[1];
}

function send(res: ServerResponse, reply: Reply): void {
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

function clone<T>(value: T): T {
  return structuredClone(value);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class SlackWebApiStandIn {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly appId: string;
  readonly appToken: string;

  private readonly triggerTtlMs: number;
  private readonly maxRecordedCalls: number;
  private readonly now: () => number;
  private readonly users = new Map<string, StandInUser>();
  private readonly channels = new Map<string, StandInChannel>();
  private readonly store = new Map<string, Map<string, StoredMessage>>();
  private readonly ephemeralList: StandInEphemeral[] = [];
  private readonly views = new Map<string, ViewRecord>();
  private readonly modalStacks = new Map<string, string[]>();
  private readonly homeViews = new Map<string, string>();
  private readonly triggers = new Map<string, { userId: string; createdAt: number; used: boolean }>();
  private readonly responseUrls = new Map<string, ResponseUrlRecord>();
  private readonly responseList: Array<{ url: string; body: Json }> = [];
  private readonly callList: RecordedCall[] = [];
  private readonly faults = new Map<string, StandInFault[]>();
  private readonly active = new Map<string, { now: number; peak: number }>();
  private readonly latencies = new Map<string, number>();
  private readonly listeners = new Set<(event: StandInChange) => void>();
  private socketModeUrl: (() => string) | undefined;
  private lastMicros = 0;
  private idCounter = 0;

  private constructor(
    private readonly server: Server,
    port: number,
    options: StandInOptions,
  ) {
    const host = options.host ?? '127.0.0.1';
    this.origin = `http://${host}:${port}`;
    this.url = `${this.origin}/api/`;
    this.token = options.token ?? 'xoxb-test-token';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    this.teamId = options.teamId ?? 'T0001';
    this.teamDomain = options.teamDomain ?? 'sandbox';
    this.appId = options.appId ?? 'A0SANDBOX';
    this.appToken = options.appToken ?? 'xapp-1-A0SANDBOX-test-token';
    this.socketModeUrl = options.socketModeUrl;
    this.triggerTtlMs = options.triggerTtlMs ?? 3000;
    this.maxRecordedCalls = options.maxRecordedCalls ?? Number.POSITIVE_INFINITY;
    this.now = options.now ?? Date.now;
    this.users.set(this.botUserId, {
      id: this.botUserId,
      name: 'orchestrator',
      realName: 'Orchestrator',
      isBot: true,
    });
  }

  static async start(options: StandInOptions = {}): Promise<SlackWebApiStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const standIn = new SlackWebApiStandIn(server, port, options);
    server.on('request', (req, res) => {
      standIn.handle(req, res).catch(() => {
        if (!res.headersSent) send(res, { status: 500, body: { ok: false, error: 'fatal_error' } });
      });
    });
    return standIn;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Where `apps.connections.open` sends Socket Mode clients (a Socket Mode stand-in), or undefined to refuse. */
  setSocketModeUrl(url: (() => string) | undefined): void {
    this.socketModeUrl = url;
  }

  // ---------------------------------------------------------------- workspace setup and inspection

  addUser(user: StandInUser): void {
    this.users.set(user.id, { ...user });
    this.emit({ kind: 'user.added', userId: user.id });
  }

  addChannel(channel: {
    id: string;
    name: string;
    isPrivate?: boolean;
    botIsMember?: boolean;
    isMpim?: boolean;
    members?: string[];
  }): void {
    this.channels.set(channel.id, {
      id: channel.id,
      name: channel.name.replace(/^#/, ''),
      isPrivate: channel.isPrivate ?? channel.isMpim ?? false,
      botIsMember: channel.botIsMember ?? true,
      isIm: false,
      ...(channel.isMpim ? { isMpim: true } : {}),
      ...(channel.members ? { members: [...channel.members] } : {}),
    });
    this.emit({ kind: 'channel.added', channel: channel.id });
  }

  user(id: string): StandInUser | undefined {
    const u = this.users.get(id);
    return u ? { ...u } : undefined;
  }

  channel(id: string): StandInChannel | undefined {
    const c = this.channels.get(id);
    return c ? { ...c } : undefined;
  }

  /** A human posts (top level, or into a thread when `threadTs` names any message of it). */
  postMessage(m: { channel: string; user: string; text: string; threadTs?: string }): StandInMessage {
    const channel = this.channels.get(m.channel);
    if (!channel) throw new Error(`unknown channel ${m.channel}`);
    const threadTs = m.threadTs === undefined ? undefined : this.threadRoot(channel.id, m.threadTs);
    if (m.threadTs !== undefined && threadTs === undefined) throw new Error(`unknown thread ${m.threadTs}`);
    const stored = this.insert({
      channel: channel.id,
      ts: this.nextTs(),
      threadTs,
      user: m.user,
      text: m.text,
    });
    return this.publicMessage(stored);
  }

  message(channel: string, ts: string): StandInMessage | undefined {
    const m = this.store.get(channel)?.get(ts);
    return m ? this.publicMessage(m) : undefined;
  }

  messages(channel: string): StandInMessage[] {
    return this.sorted(channel).map((m) => this.publicMessage(m));
  }

  thread(channel: string, threadTs: string): StandInMessage[] {
    const root = this.threadRoot(channel, threadTs);
    if (root === undefined) return [];
    return this.sorted(channel)
      .filter((m) => m.ts === root || m.threadTs === root)
      .map((m) => this.publicMessage(m));
  }

  /** The message as the Web API returns it (reply counts, `thread_ts`, `bot_id`, …), for payloads. */
  apiMessage(channel: string, ts: string): Json | undefined {
    const m = this.store.get(channel)?.get(ts);
    return m ? this.toApi(m) : undefined;
  }

  ephemerals(): StandInEphemeral[] {
    return clone(this.ephemeralList);
  }

  openedViews(): Array<{ id: string; userId: string; view: Record<string, unknown> }> {
    const out: Array<{ id: string; userId: string; view: Record<string, unknown> }> = [];
    for (const [userId, stack] of this.modalStacks) {
      for (const id of stack) {
        const rec = this.views.get(id);
        if (rec) out.push({ id, userId, view: this.viewOutput(rec) });
      }
    }
    return out;
  }

  homeView(userId: string): Record<string, unknown> | undefined {
    const id = this.homeViews.get(userId);
    const rec = id === undefined ? undefined : this.views.get(id);
    return rec ? this.viewOutput(rec) : undefined;
  }

  /** Any view the stand-in knows (open modal or published Home tab), by id. */
  view(viewId: string): StandInView | undefined {
    const rec = this.views.get(viewId);
    if (!rec) return undefined;
    if (rec.kind === 'modal' && !this.isOpen(rec)) return undefined;
    return { id: rec.id, userId: rec.userId, kind: rec.kind, view: this.viewOutput(rec) };
  }

  calls(method?: string): RecordedCall[] {
    return clone(method === undefined ? this.callList : this.callList.filter((c) => c.method === method));
  }

  createTriggerId(userId: string): string {
    const id = `${Math.floor(this.now() / 1000)}.${this.nextId()}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, { userId, createdAt: this.now(), used: false });
    return id;
  }

  /** A response_url on the stand-in; `messageTs` is the message an interaction came from (for replace/delete). */
  createResponseUrl(channel: string, user: string, threadTs?: string, messageTs?: string): string {
    const token = randomBytes(12).toString('hex');
    this.responseUrls.set(token, { channel, user, threadTs, messageTs, uses: 0 });
    return `${this.origin}/response/${token}`;
  }

  responses(): Array<{ url: string; body: Record<string, unknown> }> {
    return clone(this.responseList);
  }

  permalink(channel: string, ts: string, threadTs?: string): string {
    const base = `https://${this.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
    return threadTs !== undefined && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
  }

  /**
   * The most calls of `method` the stand-in was answering at once: a client's concurrency, seen
   * from Slack. Calls are answered as soon as they arrive, so give the method a latency to see it.
   */
  peakConcurrency(method: string): number {
    return this.active.get(method)?.peak ?? 0;
  }

  /** Every call of `method` is answered after `ms` (0 → at once), like a slow Slack. */
  setLatency(method: string, ms: number): void {
    if (ms > 0) this.latencies.set(method, ms);
    else this.latencies.delete(method);
  }

  /**
   * The next `times` calls of `method` fail with `fault`: status 429 → HTTP 429, Retry-After,
   * `ratelimited`; other statuses (401, 500, 503…) with `{ ok: false, error }`; or they stall.
   */
  failNext(method: string, fault: StandInFault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push({ ...fault });
    this.faults.set(method, queue);
  }

  /** Forgets faults not used up yet. */
  clearFaults(): void {
    this.faults.clear();
  }

  onChange(listener: (event: StandInChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Applies the app's acknowledgement of a `view_submission` the way the Slack client does: an empty ack
   * closes the submitted view, `clear` closes the whole stack, `update` replaces it, `push` stacks a new one,
   * `errors` keeps it open. Returns Block Kit errors when an `update`/`push` view is invalid (Slack would
   * refuse to show it).
   */
  resolveViewSubmission(viewId: string, ack: unknown): { closed: boolean; errors: string[] } {
    const rec = this.views.get(viewId);
    if (rec?.kind !== 'modal' || !this.isOpen(rec)) throw new Error(`view ${viewId} is not open`);
    const action = isObject(ack) ? ack.response_action : undefined;
    if (action === 'errors') return { closed: false, errors: [] };
    if (action === 'update' || action === 'push') {
      const view = isObject(ack) ? ack.view : undefined;
      const errors = validateView(view);
      if (errors.length > 0 || !isObject(view)) return { closed: false, errors };
      if (action === 'update') this.replaceView(rec, view);
      else this.pushView(rec.userId, view);
      return { closed: false, errors: [] };
    }
    this.closeView(viewId, action === 'clear');
    return { closed: true, errors: [] };
  }

  /** Closes a modal (and the views stacked on it); `all` closes the user's whole stack. */
  closeView(viewId: string, all = false): void {
    const rec = this.views.get(viewId);
    if (!rec) return;
    const stack = this.modalStacks.get(rec.userId) ?? [];
    const at = stack.indexOf(viewId);
    if (at < 0) return;
    const remaining = all ? [] : stack.slice(0, at);
    if (remaining.length === 0) this.modalStacks.delete(rec.userId);
    else this.modalStacks.set(rec.userId, remaining);
    this.emit({ kind: 'view.closed', userId: rec.userId });
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
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
      send(res, this.handleResponseUrl(url, raw));
      return;
    }
    send(res, { status: 404, body: { ok: false, error: 'not_found' } });
  }

  private parseRequestArgs(req: IncomingMessage, raw: string, url: URL): Json {
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

  private handleApi(method: string, req: IncomingMessage, raw: string, url: URL): Reply {
    const call: RecordedCall = { method, args: {}, at: this.now() };
    const reply = this.answerApi(call, method, req, raw, url);
    if (reply.body.ok === false) {
      call.error = String(reply.body.error);
      const meta = reply.body.response_metadata;
      const messages = isObject(meta) && Array.isArray(meta.messages) ? meta.messages.map(String) : [];
      if (messages.length > 0) call.errorMessages = messages;
      this.emit({ kind: 'api.error' });
    }
    return reply;
  }

  private answerApi(call: RecordedCall, method: string, req: IncomingMessage, raw: string, url: URL): Reply {
    let args: Json = {};
    let parseError: ApiError | undefined;
    try {
      args = this.parseRequestArgs(req, raw, url);
    } catch (err) {
      parseError = err instanceof ApiError ? err : new ApiError('invalid_form_data');
    }
    const bodyToken = typeof args.token === 'string' ? args.token : undefined;
    delete args.token;
    call.args = this.recordable(args);
    this.callList.push(call);
    if (this.callList.length > this.maxRecordedCalls) this.callList.shift();

    const fault = this.faults.get(method)?.shift();
    if (fault) return this.faultReply(fault);
    if (parseError) return { status: 200, body: { ok: false, error: parseError.code } };

    const auth = req.headers.authorization;
    const headerToken = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    const token = headerToken ?? bodyToken;
    if (token === undefined || token === '') return { status: 200, body: { ok: false, error: 'not_authed' } };
    if (method === 'apps.connections.open') return this.openSocketModeConnection(token, headerToken);
    if (token === this.appToken) return { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
    if (token !== this.token) return { status: 200, body: { ok: false, error: 'invalid_auth' } };

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
    if (token === this.token) return { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
    if (token !== this.appToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    if (headerToken === undefined) return { status: 200, body: { ok: false, error: 'not_authed' } };
    if (!this.socketModeUrl) return { status: 200, body: { ok: false, error: 'access_denied' } };
    return { status: 200, body: { ok: true, url: this.socketModeUrl() } };
  }

  private faultReply(fault: StandInFault): Reply {
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

  /** Calls are recorded with JSON-string fields decoded, so tests can assert on blocks and views directly. */
  private recordable(args: Json): Json {
    const out: Json = { ...args };
    for (const key of JSON_FIELDS) {
      const v = out[key];
      if (typeof v === 'string') {
        try {
          out[key] = JSON.parse(v);
        } catch {
          // keep the raw string: the handler reports the format error
        }
      }
    }
    return clone(out);
  }

  private jsonArg(args: Json, key: (typeof JSON_FIELDS)[number], error: string): unknown {
    const v = args[key];
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      throw new ApiError(error);
    }
  }

  private handleResponseUrl(url: URL, raw: string): Reply {
    const token = url.pathname.slice('/response/'.length);
    const rec = this.responseUrls.get(token);
    if (!rec) return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (rec.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    }
    if (!isObject(parsed)) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    const result = S.response.safeParse(parsed);
    if (!result.success) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    const body = result.data;
    const blocks = body.blocks;
    const errors = validateMessageBlocks(blocks, body.text);
    if (errors.length > 0) {
      return {
        status: 400,
        body: { ok: false, error: 'invalid_blocks', response_metadata: { messages: errors } },
      };
    }
    rec.uses += 1;
    this.responseList.push({ url: url.toString(), body: clone(parsed) });
    const blockList = Array.isArray(blocks) ? blocks : undefined;
    const original =
      rec.messageTs === undefined ? undefined : this.store.get(rec.channel)?.get(rec.messageTs);
    if (body.delete_original === true) {
      if (original) this.removeMessage(original);
      return { status: 200, body: { ok: true } };
    }
    if (body.replace_original === true && original) {
      this.editMessage(original, body.text, blockList);
      return { status: 200, body: { ok: true } };
    }
    const threadTs = body.thread_ts ?? rec.threadTs;
    if (body.response_type === 'in_channel') {
      this.insert({
        channel: rec.channel,
        ts: this.nextTs(),
        threadTs: threadTs === undefined ? undefined : this.threadRoot(rec.channel, threadTs),
        user: this.botUserId,
        botId: this.botId,
        text: body.text ?? '',
        ...(blockList ? { blocks: clone(blockList) } : {}),
      });
    } else {
      this.addEphemeral({
        channel: rec.channel,
        user: rec.user,
        text: body.text ?? '',
        blocks: blockList,
        threadTs,
      });
    }
    return { status: 200, body: { ok: true } };
  }

  // ---------------------------------------------------------------- Web API methods

  private readonly handlers: Record<string, (args: Json) => Json> = {
    'api.test': (args) => ({ args }),
    'auth.test': () => ({
      url: `https://${this.teamDomain}.slack.com/`,
      team: this.teamDomain,
      user: this.users.get(this.botUserId)?.name ?? 'orchestrator',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => this.chatPostMessage(args),
    'chat.update': (args) => this.chatUpdate(args),
    'chat.delete': (args) => {
      const a = parseArgs(S.delete, args);
      const channel = this.requireChannel(a.channel);
      const m = this.requireMessage(channel.id, a.ts);
      if (m.user !== this.botUserId) throw new ApiError('cant_delete_message');
      this.removeMessage(m);
      return { channel: channel.id, ts: a.ts };
    },
    'chat.postEphemeral': (args) => {
      const a = parseArgs(S.ephemeral, args);
      const channel = this.requireChannel(a.channel);
      this.requireMember(channel);
      if (!this.users.has(a.user)) throw new ApiError('user_not_found');
      const blocks = this.messageBlocks(args, a.text);
      const ts = this.nextTs();
      this.addEphemeral({
        channel: channel.id,
        user: a.user,
        text: a.text ?? '',
        blocks,
        threadTs: a.thread_ts,
      });
      return { message_ts: ts };
    },
    'chat.getPermalink': (args) => {
      const a = parseArgs(S.permalink, args);
      const channel = this.requireChannel(a.channel);
      const m = this.requireMessage(channel.id, a.message_ts);
      return { channel: channel.id, permalink: this.permalink(channel.id, m.ts, m.threadTs) };
    },
    'conversations.replies': (args) => this.conversationsReplies(args),
    'conversations.history': (args) => this.conversationsHistory(args),
    'conversations.info': (args) => {
      const a = parseArgs(S.info, args);
      const c = this.requireChannel(a.channel);
      return {
        channel: {
          id: c.id,
          name: c.name,
          name_normalized: c.name,
          is_channel: !c.isPrivate && !c.isIm,
          is_group: false,
          is_im: c.isIm,
          is_mpim: c.isMpim ?? false,
          is_private: c.isPrivate || c.isIm,
          is_archived: false,
          is_general: false,
          is_member: c.botIsMember,
          created: 1_600_000_000,
          context_team_id: this.teamId,
        },
      };
    },
    'conversations.members': (args) => this.conversationsMembers(args),
    'users.info': (args) => {
      const a = parseArgs(S.usersInfo, args);
      const u = this.users.get(a.user);
      if (!u) throw new ApiError('user_not_found');
      const realName = u.realName ?? u.name;
      const displayName = u.displayName ?? '';
      return {
        user: {
          id: u.id,
          team_id: this.teamId,
          name: u.name,
          deleted: false,
          real_name: realName,
          is_bot: u.isBot ?? false,
          is_admin: u.isAdmin ?? false,
          is_owner: u.isOwner ?? false,
          is_primary_owner: false,
          is_app_user: false,
          tz: 'Etc/UTC',
          profile: {
            real_name: realName,
            real_name_normalized: realName,
            display_name: displayName,
            display_name_normalized: displayName,
            team: this.teamId,
          },
        },
      };
    },
    'views.open': (args) => this.viewsOpen(args, false),
    'views.push': (args) => this.viewsOpen(args, true),
    'views.update': (args) => this.viewsUpdate(args),
    'views.publish': (args) => this.viewsPublish(args),
  };

  private chatPostMessage(args: Json): Json {
    const a = parseArgs(S.postMessage, args);
    const channel = this.requireChannel(a.channel);
    this.requireMember(channel);
    const blocks = this.messageBlocks(args, a.text);
    let threadTs: string | undefined;
    if (a.thread_ts !== undefined && a.thread_ts !== '') {
      threadTs = this.threadRoot(channel.id, a.thread_ts);
      if (threadTs === undefined) throw new ApiError('thread_not_found');
    }
    const m = this.insert({
      channel: channel.id,
      ts: this.nextTs(),
      threadTs,
      user: this.botUserId,
      botId: this.botId,
      text: a.text ?? '',
      ...(blocks ? { blocks } : {}),
    });
    return { channel: channel.id, ts: m.ts, message: this.toApi(m) };
  }

  private chatUpdate(args: Json): Json {
    const a = parseArgs(S.update, args);
    const channel = this.requireChannel(a.channel);
    const m = this.requireMessage(channel.id, a.ts);
    if (m.user !== this.botUserId) throw new ApiError('cant_update_message');
    const blocks = this.messageBlocks(args, a.text, m.blocks !== undefined);
    this.editMessage(m, a.text, blocks);
    return { channel: channel.id, ts: m.ts, text: m.text, message: this.toApi(m) };
  }

  /** Parses and validates `blocks`; a message needs text or blocks (`no_text`). */
  private messageBlocks(args: Json, text: string | undefined, hasExisting = false): unknown[] | undefined {
    const blocks = this.jsonArg(args, 'blocks', 'invalid_blocks_format');
    if (blocks !== undefined && !Array.isArray(blocks)) throw new ApiError('invalid_blocks_format');
    if (
      (text === undefined || text === '') &&
      (blocks === undefined || blocks.length === 0) &&
      !hasExisting
    ) {
      throw new ApiError('no_text');
    }
    if (text !== undefined && text.length > 40_000) throw new ApiError('msg_too_long');
    const errors = validateMessageBlocks(blocks);
    if (errors.length > 0) throw new ApiError('invalid_blocks', { response_metadata: { messages: errors } });
    return blocks === undefined ? undefined : clone(blocks);
  }

  private conversationsReplies(args: Json): Json {
    const a = parseArgs(S.replies, args);
    const channel = this.requireChannel(a.channel);
    this.requireMember(channel);
    const root = this.threadRoot(channel.id, a.ts);
    if (root === undefined) throw new ApiError('thread_not_found');
    const all = this.sorted(channel.id).filter((m) => m.ts === root || m.threadTs === root);
    const parent = all[0];
    const inRange = all.filter((m) => this.inWindow(m.ts, a.oldest, a.latest, a.inclusive ?? false));
    const limit = this.clampLimit(a.limit, 1000);
    let start = 0;
    if (a.cursor !== undefined && a.cursor !== '') {
      const from = tsValue(decodeCursor(a.cursor));
      start = inRange.findIndex((m) => tsValue(m.ts) >= from);
      if (start < 0) start = inRange.length;
    }
    const page = inRange.slice(start, start + limit);
    const next = inRange[start + limit];
    // Slack repeats the thread's parent at the top of every page after the first.
    const messages = start > 0 && parent && page[0]?.ts !== parent.ts ? [parent, ...page] : page;
    return {
      messages: messages.map((m) => this.toApi(m)),
      has_more: next !== undefined,
      response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
    };
  }

  /** Members in the order they joined, paged by an opaque cursor (Slack's default page is 100). */
  private conversationsMembers(args: Json): Json {
    const a = parseArgs(S.members, args);
    const channel = this.requireChannel(a.channel);
    const all =
      channel.members ??
      [...this.users.values()]
        .filter((u) => (u.isBot ? u.id === this.botUserId && channel.botIsMember : true))
        .map((u) => u.id);
    const limit = this.clampLimit(a.limit, 100);
    let start = 0;
    if (a.cursor !== undefined && a.cursor !== '') {
      const match = /^members:(\d+)$/.exec(Buffer.from(a.cursor, 'base64').toString('utf8'));
      if (!match?.[1]) throw new ApiError('invalid_cursor');
      start = Number(match[1]);
    }
    const next = start + limit < all.length ? Buffer.from(`members:${start + limit}`).toString('base64') : '';
    return { members: all.slice(start, start + limit), response_metadata: { next_cursor: next } };
  }

  private conversationsHistory(args: Json): Json {
    const a = parseArgs(S.history, args);
    const channel = this.requireChannel(a.channel);
    this.requireMember(channel);
    const top = this.sorted(channel.id)
      .filter((m) => m.threadTs === undefined)
      .filter((m) => this.inWindow(m.ts, a.oldest, a.latest, a.inclusive ?? false))
      .reverse();
    const limit = this.clampLimit(a.limit, 100);
    let start = 0;
    if (a.cursor !== undefined && a.cursor !== '') {
      const from = tsValue(decodeCursor(a.cursor));
      start = top.findIndex((m) => tsValue(m.ts) <= from);
      if (start < 0) start = top.length;
    }
    const page = top.slice(start, start + limit);
    const next = top[start + limit];
    return {
      messages: page.map((m) => this.toApi(m)),
      has_more: next !== undefined,
      pin_count: 0,
      response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
    };
  }

  private clampLimit(limit: number | undefined, fallback: number): number {
    if (limit === undefined || limit <= 0) return fallback;
    return Math.min(limit, 1000);
  }

  private inWindow(
    ts: string,
    oldest: string | undefined,
    latest: string | undefined,
    inclusive: boolean,
  ): boolean {
    const v = tsValue(ts);
    if (oldest !== undefined && oldest !== '') {
      const o = tsValue(oldest);
      if (inclusive ? v < o : v <= o) return false;
    }
    if (latest !== undefined && latest !== '') {
      const l = tsValue(latest);
      if (inclusive ? v > l : v >= l) return false;
    }
    return true;
  }

  private viewsOpen(args: Json, push: boolean): Json {
    const a = parseArgs(S.viewsOpen, args);
    const view = this.viewArg(args);
    if (view.type !== 'modal') {
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] must be a valid enum value [json-pointer:/view/type]'] },
      });
    }
    const triggerId = a.trigger_id ?? a.interactivity_pointer;
    if (triggerId === undefined || triggerId === '') throw new ApiError('invalid_arguments');
    const trigger = this.triggers.get(triggerId);
    if (!trigger) throw new ApiError('invalid_trigger_id');
    if (trigger.used) throw new ApiError('exchanged_trigger_id');
    if (this.now() - trigger.createdAt > this.triggerTtlMs) throw new ApiError('expired_trigger_id');
    this.requireUniqueExternalId(view);
    let rec: ViewRecord;
    if (push) {
      const stack = this.modalStacks.get(trigger.userId) ?? [];
      if (stack.length === 0) throw new ApiError('not_found');
      if (stack.length >= VIEW_STACK_LIMIT) throw new ApiError('push_limit_reached');
      trigger.used = true;
      rec = this.pushView(trigger.userId, view);
    } else {
      trigger.used = true;
      const previous = this.modalStacks.get(trigger.userId)?.[0];
      if (previous !== undefined) this.closeView(previous, true);
      rec = this.newView(trigger.userId, 'modal', view, null, null);
      this.modalStacks.set(trigger.userId, [rec.id]);
      this.emit({ kind: 'view.opened', userId: trigger.userId });
    }
    return { view: this.viewOutput(rec) };
  }

  private viewsUpdate(args: Json): Json {
    const a = parseArgs(S.viewsUpdate, args);
    const view = this.viewArg(args);
    let rec: ViewRecord | undefined;
    if (a.view_id !== undefined && a.view_id !== '') rec = this.views.get(a.view_id);
    else if (a.external_id !== undefined && a.external_id !== '') {
      rec = [...this.views.values()].find((v) => v.externalId === a.external_id);
    } else throw new ApiError('invalid_arguments');
    if (!rec || (rec.kind === 'modal' && !this.isOpen(rec))) throw new ApiError('not_found');
    if (view.type !== rec.kind) throw new ApiError('invalid_arguments');
    if (a.hash !== undefined && a.hash !== '' && a.hash !== rec.hash) throw new ApiError('hash_conflict');
    this.requireUniqueExternalId(view, rec.id);
    this.replaceView(rec, view);
    return { view: this.viewOutput(rec) };
  }

  private viewsPublish(args: Json): Json {
    const a = parseArgs(S.viewsPublish, args);
    const view = this.viewArg(args);
    if (view.type !== 'home') throw new ApiError('invalid_arguments');
    if (!this.users.has(a.user_id)) throw new ApiError('user_not_found');
    const existingId = this.homeViews.get(a.user_id);
    const existing = existingId === undefined ? undefined : this.views.get(existingId);
    if (existing && a.hash !== undefined && a.hash !== '' && a.hash !== existing.hash) {
      throw new ApiError('hash_conflict');
    }
    let rec: ViewRecord;
    if (existing) {
      this.replaceView(existing, view);
      rec = existing;
    } else {
      rec = this.newView(a.user_id, 'home', view, null, null);
      this.homeViews.set(a.user_id, rec.id);
    }
    this.emit({ kind: 'home.published', userId: a.user_id });
    return { view: this.viewOutput(rec) };
  }

  private viewArg(args: Json): Json {
    const view = this.jsonArg(args, 'view', 'invalid_arguments');
    if (view === undefined) {
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: view [json-pointer:/view]'] },
      });
    }
    const errors = validateView(view);
    if (errors.length > 0 || !isObject(view)) {
      throw new ApiError('invalid_arguments', { response_metadata: { messages: errors } });
    }
    return clone(view);
  }

  private requireUniqueExternalId(view: Json, selfId?: string): void {
    const ext = view.external_id;
    if (typeof ext !== 'string' || ext === '') return;
    for (const v of this.views.values()) {
      if (v.externalId === ext && v.id !== selfId) throw new ApiError('duplicate_external_id');
    }
  }

  // ---------------------------------------------------------------- state helpers

  private requireChannel(idOrName: string): StandInChannel {
    const key = idOrName.replace(/^#/, '');
    let channel =
      this.channels.get(key) ?? [...this.channels.values()].find((c) => c.name === key && !c.isIm);
    // Posting to a user ID opens (or reuses) the bot's DM with that user, as Slack does.
    if (!channel && this.users.has(key)) {
      const id = `D${key}`;
      channel = this.channels.get(id) ?? { id, name: id, isPrivate: true, botIsMember: true, isIm: true };
      this.channels.set(id, channel);
    }
    if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new ApiError('channel_not_found');
    return channel;
  }

  private requireMember(channel: StandInChannel): void {
    if (!channel.botIsMember) throw new ApiError('not_in_channel');
  }

  private requireMessage(channel: string, ts: string): StoredMessage {
    const m = this.store.get(channel)?.get(ts);
    if (!m) throw new ApiError('message_not_found');
    return m;
  }

  /** The ts of the thread a message belongs to (itself when top-level); undefined when unknown. */
  private threadRoot(channel: string, ts: string): string | undefined {
    const m = this.store.get(channel)?.get(ts);
    if (!m) return undefined;
    return m.threadTs ?? m.ts;
  }

  private sorted(channel: string): StoredMessage[] {
    return [...(this.store.get(channel)?.values() ?? [])].sort(byTs);
  }

  private insert(m: StoredMessage): StoredMessage {
    let map = this.store.get(m.channel);
    if (!map) {
      map = new Map();
      this.store.set(m.channel, map);
    }
    const stored: StoredMessage = Object.fromEntries(
      Object.entries(m).filter(([, v]) => v !== undefined),
    ) as unknown as StoredMessage;
    map.set(stored.ts, stored);
    this.emit({
      kind: 'message.posted',
      channel: m.channel,
      ts: m.ts,
      ...(m.user ? { userId: m.user } : {}),
    });
    return stored;
  }

  private editMessage(m: StoredMessage, text: string | undefined, blocks: unknown[] | undefined): void {
    if (text !== undefined) m.text = text;
    // chat.update keeps the previous blocks unless new ones are given; [] removes them.
    if (blocks !== undefined) {
      if (blocks.length === 0) delete m.blocks;
      else m.blocks = clone(blocks);
    }
    m.edited = { user: this.botUserId, ts: this.nextTs() };
    this.emit({ kind: 'message.updated', channel: m.channel, ts: m.ts });
  }

  private removeMessage(m: StoredMessage): void {
    const hasReplies = m.threadTs === undefined && this.sorted(m.channel).some((r) => r.threadTs === m.ts);
    if (hasReplies) {
      // A parent with replies leaves a tombstone so the thread stays readable.
      m.text = 'This message was deleted.';
      m.subtype = 'tombstone';
      delete m.blocks;
      delete m.botId;
    } else {
      this.store.get(m.channel)?.delete(m.ts);
    }
    this.emit({ kind: 'message.deleted', channel: m.channel, ts: m.ts });
  }

  private addEphemeral(e: StandInEphemeral): void {
    this.ephemeralList.push(
      clone({
        channel: e.channel,
        user: e.user,
        text: e.text,
        ...(e.blocks ? { blocks: e.blocks } : {}),
        ...(e.threadTs !== undefined ? { threadTs: e.threadTs } : {}),
      }),
    );
    this.emit({ kind: 'ephemeral.posted', channel: e.channel, userId: e.user });
  }

  private publicMessage(m: StoredMessage): StandInMessage {
    const { subtype: _subtype, ...rest } = m;
    return clone(rest);
  }

  private toApi(m: StoredMessage): Json {
    const out: Json = { type: 'message', ts: m.ts, text: m.text, team: this.teamId };
    if (m.subtype) out.subtype = m.subtype;
    if (m.user !== undefined) out.user = m.user;
    if (m.botId !== undefined) {
      out.bot_id = m.botId;
      out.app_id = this.appId;
    }
    if (m.blocks) out.blocks = clone(m.blocks);
    if (m.edited) out.edited = { ...m.edited };
    if (m.threadTs !== undefined) {
      out.thread_ts = m.threadTs;
      const parent = this.store.get(m.channel)?.get(m.threadTs);
      if (parent?.user !== undefined) out.parent_user_id = parent.user;
    } else {
      const replies = this.sorted(m.channel).filter((r) => r.threadTs === m.ts);
      const last = replies.at(-1);
      if (last) {
        const users = [...new Set(replies.map((r) => r.user).filter((u): u is string => u !== undefined))];
        out.thread_ts = m.ts;
        out.reply_count = replies.length;
        out.reply_users_count = users.length;
        out.reply_users = users;
        out.latest_reply = last.ts;
      }
    }
    return out;
  }

  private newView(
    userId: string,
    kind: 'modal' | 'home',
    input: Json,
    rootViewId: string | null,
    previousViewId: string | null,
  ): ViewRecord {
    const id = `V${String(this.nextId()).padStart(8, '0')}`;
    const rec: ViewRecord = {
      id,
      userId,
      kind,
      input,
      hash: this.newHash(),
      externalId:
        typeof input.external_id === 'string' && input.external_id !== '' ? input.external_id : undefined,
      rootViewId: rootViewId ?? id,
      previousViewId,
      state: {},
    };
    this.views.set(id, rec);
    return rec;
  }

  private pushView(userId: string, view: Json): ViewRecord {
    const stack = this.modalStacks.get(userId) ?? [];
    const top = stack.at(-1);
    const root = stack[0];
    const rec = this.newView(userId, 'modal', view, root ?? null, top ?? null);
    this.modalStacks.set(userId, [...stack, rec.id]);
    this.emit({ kind: 'view.pushed', userId });
    return rec;
  }

  private replaceView(rec: ViewRecord, view: Json): void {
    rec.input = clone(view);
    rec.hash = this.newHash();
    rec.externalId =
      typeof view.external_id === 'string' && view.external_id !== '' ? view.external_id : undefined;
    // Slack keeps entered input for input blocks whose block_id/action_id survive the update.
    const kept: Record<string, Record<string, unknown>> = {};
    for (const b of Array.isArray(view.blocks) ? view.blocks : []) {
      if (!isObject(b) || typeof b.block_id !== 'string') continue;
      const state = rec.state[b.block_id];
      if (state) kept[b.block_id] = state;
    }
    rec.state = kept;
    this.emit({ kind: rec.kind === 'home' ? 'home.published' : 'view.updated', userId: rec.userId });
  }

  private isOpen(rec: ViewRecord): boolean {
    return this.modalStacks.get(rec.userId)?.includes(rec.id) ?? false;
  }

  private viewOutput(rec: ViewRecord): Json {
    const v = rec.input;
    const str = (key: string) => (typeof v[key] === 'string' ? v[key] : '');
    return clone({
      id: rec.id,
      team_id: this.teamId,
      type: rec.kind,
      blocks: Array.isArray(v.blocks) ? v.blocks : [],
      private_metadata: str('private_metadata'),
      callback_id: str('callback_id'),
      state: { values: rec.state },
      hash: rec.hash,
      title: v.title ?? { type: 'plain_text', text: 'View Title' },
      clear_on_close: v.clear_on_close === true,
      notify_on_close: v.notify_on_close === true,
      close: v.close ?? null,
      submit: v.submit ?? null,
      previous_view_id: rec.previousViewId,
      root_view_id: rec.rootViewId,
      app_id: this.appId,
      external_id: rec.externalId ?? '',
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
    });
  }

  private nextTs(): string {
    const micros = Math.max(Math.floor(this.now() * 1000), this.lastMicros + 1);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private nextId(): number {
    this.idCounter += 1;
    return this.idCounter;
  }

  private newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  private emit(event: StandInChange): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a failing UI listener must not break the API
      }
    }
  }
}
