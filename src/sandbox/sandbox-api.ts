/**
 * The sandbox page's HTTP API, served on the bot's own port next to `/slack/events`:
 *
 *   GET  /                         the page            GET /sandbox/static/:file  its files
 *   GET  /sandbox/events           server-sent "something changed" notices
 *   GET  /sandbox/api/state        everything one person sees (messages, their ephemerals, modal, Home)
 *   POST /sandbox/api/{message,command,shortcut,action,submit,close,home,sample}
 *   GET  /sandbox/api/{outbox,outbox-message,issues}
 *
 * What a person does on the page goes to the bot as Slack would send it: signed requests into
 * /slack/events built by `SlackRequestSender` from what the Slack stand-in holds (the message a button
 * sits on, the open modal with its state, fresh trigger ids and response URLs).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import type { Logger } from '../logger.js';
import { SLASH_COMMANDS } from '../slack/ids.js';
import { listDryRunIssues } from './dry-run-issues.js';
import type { LiveUpdates } from './live-updates.js';
import type { Outbox } from './outbox.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { type SentResponse, SlackRequestSender } from './slack-requests.js';
import type { SlackWebApiStandIn } from './slack-web-api.js';
import { sendPublicFile } from './static-files.js';
import { mentions, toSlackText } from './user-text.js';
import {
  postSampleDiscussion,
  SANDBOX_CHANNELS,
  SANDBOX_PEOPLE,
  SANDBOX_SHORTCUTS,
  SANDBOX_TEAM,
} from './workspace.js';

type Json = Record<string, unknown>;

export interface Route {
  path: string;
  method: string | string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Something Slack would have shown or refused: a Web API error, a failed request to the app, … */
export interface Problem {
  at: string;
  source: 'web_api' | 'app' | 'view';
  summary: string;
  details: string[];
}

export interface SandboxApiOptions {
  standIn: SlackWebApiStandIn;
  signingSecret: string;
  approvers: readonly string[];
  outbox: Outbox;
  live: LiveUpdates;
  logger: Logger;
  /** Requests must name a loopback host (blocks DNS rebinding) when the page is served on loopback. */
  loopbackOnly: boolean;
}

/** The body, at most MAX_BODY bytes (a larger one is answered 413). */
async function readRequestBody(req: IncomingMessage): Promise<string> {
  try {
    return await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new HttpError(413, 'request body too large');
    throw err;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 1024 * 1024;
const MAX_PROBLEMS = 50;

const userId = z.string().regex(/^[UW][A-Z0-9]+$/);
const channelId = z.string().regex(/^[CGD][A-Z0-9]+$/);
const ts = z.string().regex(/^\d+\.\d+$/);
const Bodies = {
  message: z.object({
    user: userId,
    channel: channelId,
    text: z.string().min(1).max(40_000),
    threadTs: ts.optional(),
  }),
  command: z.object({
    user: userId,
    channel: channelId,
    command: z.string().regex(/^\/[\w-]+$/),
    text: z.string().max(4000).default(''),
  }),
  shortcut: z.object({ user: userId, channel: channelId, messageTs: ts, callbackId: z.string().min(1) }),
  action: z.discriminatedUnion('surface', [
    z.object({
      surface: z.literal('message'),
      user: userId,
      channel: channelId,
      messageTs: ts,
      actionId: z.string().min(1),
      blockId: z.string().optional(),
      value: z.string().optional(),
    }),
    z.object({
      surface: z.literal('home'),
      user: userId,
      actionId: z.string().min(1),
      value: z.string().optional(),
    }),
  ]),
  submit: z.object({
    user: userId,
    viewId: z.string().min(1),
    values: z.record(z.string(), z.record(z.string(), z.looseObject({ type: z.string() }))),
  }),
  close: z.object({ user: userId, viewId: z.string().min(1) }),
  home: z.object({ user: userId }),
  sample: z.object({ user: userId.optional(), channel: channelId }),
};

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function hostName(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}

function isLoopbackName(name: string): boolean {
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

export class SandboxApi {
  private readonly standIn: SlackWebApiStandIn;
  private readonly live: LiveUpdates;
  private readonly logger: Logger;
  private sender: SlackRequestSender | undefined;
  private db: Db | undefined;
  private readonly problems: Problem[] = [];
  /** When each ephemeral appeared (the stand-in keeps none), to place it among the messages. */
  private readonly ephemeralTimes: string[] = [];
  /** `response_action: errors` answers, kept until the view changes (its hash moves on). */
  private readonly viewErrors = new Map<string, { hash: string; errors: Record<string, string> }>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: SandboxApiOptions) {
    this.standIn = options.standIn;
    this.live = options.live;
    this.logger = options.logger;
    this.unsubscribe = this.standIn.onChange((event) => {
      if (event.kind === 'ephemeral.posted') this.ephemeralTimes.push(this.nowTs());
      if (event.kind === 'api.error') this.recordApiError();
      this.live.changed();
    });
  }

  /** Called once the bot listens: requests go to its /slack/events, reads to its database. */
  attach(app: { url: string; db: Db }): void {
    this.sender = new SlackRequestSender({
      appUrl: `${app.url}/slack/events`,
      signingSecret: this.options.signingSecret,
      standIn: this.standIn,
    });
    this.db = app.db;
  }

  close(): void {
    this.unsubscribe();
  }

  routes(): Route[] {
    const wrap =
      (
        fn: (
          req: IncomingMessage & { params?: Record<string, string> },
          res: ServerResponse,
        ) => Promise<void>,
      ) =>
      (req: IncomingMessage, res: ServerResponse) => {
        fn(req, res).catch((err: unknown) => this.fail(res, err));
      };
    return [
      {
        path: '/',
        method: 'GET',
        handler: wrap(async (req, res) => {
          this.guard(req, false);
          await sendPublicFile(res, 'index.html');
        }),
      },
      {
        path: '/sandbox/static/:file',
        method: 'GET',
        handler: wrap(async (req, res) => {
          this.guard(req, false);
          await sendPublicFile(res, req.params?.file ?? '');
        }),
      },
      {
        path: '/sandbox/events',
        method: 'GET',
        handler: wrap(async (req, res) => {
          this.guard(req, false);
          this.live.handle(req, res);
        }),
      },
      {
        path: '/sandbox/api/:endpoint',
        method: ['GET', 'POST'],
        handler: wrap(async (req, res) => {
          const post = req.method === 'POST';
          this.guard(req, post);
          const endpoint = req.params?.endpoint ?? '';
          const url = new URL(req.url ?? '/', 'http://sandbox.local');
          if (!post) {
            await this.get(endpoint, url, res);
            return;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(await readRequestBody(req));
          } catch (err) {
            if (err instanceof HttpError) throw err;
            throw new HttpError(400, 'the body must be JSON');
          }
          sendJson(res, 200, await this.post(endpoint, parsed));
        }),
      },
    ];
  }

  // ---------------------------------------------------------------- reads

  private async get(endpoint: string, url: URL, res: ServerResponse): Promise<void> {
    switch (endpoint) {
      case 'state': {
        const user = userId.safeParse(url.searchParams.get('user'));
        if (!user.success || !this.standIn.user(user.data)) throw new HttpError(400, 'unknown user');
        sendJson(res, 200, this.state(user.data));
        return;
      }
      case 'outbox':
        sendJson(res, 200, { dir: this.options.outbox.dir, messages: await this.options.outbox.list() });
        return;
      case 'outbox-message': {
        const raw = await this.options.outbox.read(url.searchParams.get('name') ?? '');
        if (raw === undefined) throw new HttpError(404, 'no such message in the outbox');
        sendJson(res, 200, { raw });
        return;
      }
      case 'issues':
        if (!this.db) throw new HttpError(503, 'the bot is still starting');
        sendJson(res, 200, { issues: await listDryRunIssues(this.db) });
        return;
      default:
        throw new HttpError(404, `no endpoint ${endpoint}`);
    }
  }

  /** What `user` sees: every message, their own ephemerals, their open modal and Home tab. */
  state(user: string): Json {
    const s = this.standIn;
    const messages: Record<string, Json[]> = {};
    for (const c of SANDBOX_CHANNELS) {
      messages[c.id] = s.messages(c.id).map((m) => ({
        ts: m.ts,
        ...(m.threadTs !== undefined ? { threadTs: m.threadTs } : {}),
        ...(m.user !== undefined ? { user: m.user } : {}),
        ...(m.botId !== undefined ? { botId: m.botId } : {}),
        text: m.text,
        ...(m.blocks ? { blocks: m.blocks } : {}),
        edited: m.edited !== undefined,
        permalink: s.permalink(m.channel, m.ts, m.threadTs),
      }));
    }
    const ephemerals = s
      .ephemerals()
      .map((e, i) => ({ id: i, ts: this.ephemeralTimes[i] ?? '0.000000', ...e }))
      .filter((e) => e.user === user);
    const stack = s.openedViews().filter((v) => v.userId === user);
    const top = stack.at(-1);
    let modal: Json | null = null;
    if (top) {
      const kept = this.viewErrors.get(top.id);
      const errors = kept && kept.hash === top.view.hash ? kept.errors : {};
      modal = { id: top.id, view: top.view, errors, depth: stack.length };
    }
    return {
      version: this.live.version,
      team: SANDBOX_TEAM,
      bot: { id: s.botUserId, botId: s.botId, name: 'Orchestrator' },
      me: user,
      people: Object.values(SANDBOX_PEOPLE).map((p) => ({
        ...p,
        approver: this.options.approvers.length === 0 || this.options.approvers.includes(p.id),
      })),
      everyoneApproves: this.options.approvers.length === 0,
      channels: SANDBOX_CHANNELS,
      commands: SLASH_COMMANDS,
      shortcuts: Object.entries(SANDBOX_SHORTCUTS).map(([callbackId, name]) => ({ callbackId, name })),
      messages,
      ephemerals,
      modal,
      home: s.homeView(user) ?? null,
      problems: this.problems,
    };
  }

  // ---------------------------------------------------------------- actions

  private async post(endpoint: string, body: unknown): Promise<Json> {
    switch (endpoint) {
      case 'message':
        return this.postMessage(parse(Bodies.message, body));
      case 'command':
        return this.command(parse(Bodies.command, body));
      case 'shortcut': {
        const a = parse(Bodies.shortcut, body);
        this.requireUser(a.user);
        if (!(a.callbackId in SANDBOX_SHORTCUTS)) throw new HttpError(400, `no shortcut ${a.callbackId}`);
        this.requireMessage(a.channel, a.messageTs);
        return this.outcome(await this.requireSender().messageShortcut(a), 'the message shortcut');
      }
      case 'action':
        return this.action(parse(Bodies.action, body));
      case 'submit':
        return this.submit(parse(Bodies.submit, body));
      case 'close': {
        const a = parse(Bodies.close, body);
        const view = this.standIn.view(a.viewId);
        if (view?.kind !== 'modal' || view.userId !== a.user) throw new HttpError(404, 'no such open modal');
        this.standIn.closeView(a.viewId);
        return { ok: true };
      }
      case 'home': {
        const a = parse(Bodies.home, body);
        this.requireUser(a.user);
        const sent = await this.requireSender().event({
          type: 'app_home_opened',
          user: a.user,
          channel: `D${a.user}`,
          tab: 'home',
        });
        return this.outcome(sent, 'app_home_opened');
      }
      case 'sample': {
        const a = parse(Bodies.sample, body);
        this.requireChannel(a.channel);
        const parent = postSampleDiscussion(this.standIn, a.channel);
        return { ok: true, ts: parent.ts, permalink: this.standIn.permalink(a.channel, parent.ts) };
      }
      default:
        throw new HttpError(404, `no endpoint ${endpoint}`);
    }
  }

  private async postMessage(a: z.infer<typeof Bodies.message>): Promise<Json> {
    this.requireUser(a.user);
    this.requireChannel(a.channel);
    const people = [
      ...Object.values(SANDBOX_PEOPLE).map((p) => ({
        id: p.id,
        names: [p.name, p.realName.split(' ')[0] ?? p.name],
      })),
      { id: this.standIn.botUserId, names: ['orchestrator', 'Orchestrator'] },
    ];
    const text = toSlackText(a.text, people, SANDBOX_CHANNELS);
    if (a.threadTs !== undefined) this.requireMessage(a.channel, a.threadTs);
    const posted = this.standIn.postMessage({
      channel: a.channel,
      user: a.user,
      text,
      ...(a.threadTs !== undefined ? { threadTs: a.threadTs } : {}),
    });
    if (!mentions(text, this.standIn.botUserId)) return { ok: true, ts: posted.ts };
    // Slack delivers an app_mention event when a message mentions the bot.
    const sent = await this.requireSender().event({
      type: 'app_mention',
      user: a.user,
      text,
      channel: a.channel,
      ts: posted.ts,
      ...(posted.threadTs !== undefined ? { thread_ts: posted.threadTs } : {}),
    });
    return { ...this.outcome(sent, 'the app_mention event'), ts: posted.ts };
  }

  private async command(a: z.infer<typeof Bodies.command>): Promise<Json> {
    this.requireUser(a.user);
    this.requireChannel(a.channel);
    if (!(SLASH_COMMANDS as readonly string[]).includes(a.command)) {
      return {
        ok: false,
        error: `${a.command} is not a valid command. In Slack, messages starting with / are commands.`,
      };
    }
    const sent = await this.requireSender().slashCommand(a);
    if (sent.status !== 200) return this.outcome(sent, a.command);
    // Slack shows the command's acknowledgement body to the person (or the channel, for in_channel).
    const ack = isObject(sent.json) ? sent.json : sent.body.trim() ? { text: sent.body } : undefined;
    if (ack && (ack.text !== undefined || ack.blocks !== undefined)) {
      const url = this.standIn.createResponseUrl(a.channel, a.user);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ack),
      });
      if (!res.ok) {
        const detail = await res.text();
        this.addProblem('app', `Slack refused the answer to ${a.command} (HTTP ${res.status})`, [detail]);
        return { ok: false, error: `${a.command} failed: Slack refused the app's answer` };
      }
    }
    return { ok: true };
  }

  private async action(a: z.infer<typeof Bodies.action>): Promise<Json> {
    this.requireUser(a.user);
    const sender = this.requireSender();
    let sent: SentResponse;
    try {
      sent =
        a.surface === 'message'
          ? await sender.blockAction({
              user: a.user,
              channel: a.channel,
              messageTs: a.messageTs,
              actionId: a.actionId,
              ...(a.blockId !== undefined ? { blockId: a.blockId } : {}),
              ...(a.value !== undefined ? { value: a.value } : {}),
            })
          : await sender.homeBlockAction({
              user: a.user,
              actionId: a.actionId,
              ...(a.value !== undefined ? { value: a.value } : {}),
            });
    } catch (err) {
      // The element is gone (the card changed meanwhile): Slack would not send the click either.
      throw new HttpError(409, err instanceof Error ? err.message : String(err));
    }
    return this.outcome(sent, `the click on ${a.actionId}`);
  }

  private async submit(a: z.infer<typeof Bodies.submit>): Promise<Json> {
    const open = this.standIn.view(a.viewId);
    if (open?.kind !== 'modal' || open.userId !== a.user) throw new HttpError(404, 'no such open modal');
    const hash = String(open.view.hash);
    let sent: SentResponse;
    try {
      sent = await this.requireSender().viewSubmission(a);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.addProblem('view', 'Slack could not show the view the app answered the submission with', [
        message,
      ]);
      return { ok: false, error: 'Slack could not show the app’s answer; see Problems.' };
    }
    if (sent.status !== 200) return this.outcome(sent, 'the submission');
    const ack = isObject(sent.json) ? sent.json : {};
    if (ack.response_action === 'errors' && isObject(ack.errors)) {
      const errors = Object.fromEntries(Object.entries(ack.errors).map(([k, v]) => [k, String(v)]));
      this.viewErrors.set(a.viewId, { hash, errors });
      this.live.changed();
      return { ok: true, responseAction: 'errors', errors };
    }
    this.viewErrors.delete(a.viewId);
    return {
      ok: true,
      ...(typeof ack.response_action === 'string' ? { responseAction: ack.response_action } : {}),
    };
  }

  // ---------------------------------------------------------------- helpers

  /** Slack reports an app that answers with an error or not at all; so does the page. */
  private outcome(sent: SentResponse, what: string): Json {
    if (sent.status === 200) return { ok: true };
    const summary = `The app answered ${what} with HTTP ${sent.status}`;
    this.addProblem('app', summary, sent.body ? [sent.body.slice(0, 2000)] : []);
    return { ok: false, error: `${summary} (Slack would show “dispatch_failed”).` };
  }

  private recordApiError(): void {
    const call = this.standIn.calls().at(-1);
    if (!call?.error) return;
    this.addProblem('web_api', `${call.method} → ${call.error}`, call.errorMessages ?? []);
  }

  private addProblem(source: Problem['source'], summary: string, details: string[]): void {
    this.problems.unshift({ at: new Date().toISOString(), source, summary, details });
    if (this.problems.length > MAX_PROBLEMS) this.problems.length = MAX_PROBLEMS;
    this.logger.warn({ source, details }, `sandbox: ${summary}`);
    this.live.changed();
  }

  private requireSender(): SlackRequestSender {
    if (!this.sender) throw new HttpError(503, 'the bot is still starting');
    return this.sender;
  }

  private requireUser(id: string): void {
    if (!this.standIn.user(id)) throw new HttpError(400, `unknown user ${id}`);
  }

  private requireChannel(id: string): void {
    if (!SANDBOX_CHANNELS.some((c) => c.id === id)) throw new HttpError(400, `unknown channel ${id}`);
  }

  private requireMessage(channel: string, messageTs: string): void {
    if (!this.standIn.message(channel, messageTs)) throw new HttpError(404, `no message ${messageTs}`);
  }

  private nowTs(): string {
    const ms = Date.now();
    return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
  }

  /**
   * Only the page itself may act: POSTs must be JSON (a cross-site form cannot send that without a
   * preflight) from our own origin, and on loopback the Host must be a loopback name (DNS rebinding).
   */
  private guard(req: IncomingMessage, post: boolean): void {
    const host = req.headers.host ?? '';
    if (this.options.loopbackOnly && !isLoopbackName(hostName(host))) {
      throw new HttpError(403, 'the sandbox answers only on localhost');
    }
    if (!post) return;
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'send JSON');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let originHost = '';
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = '';
      }
      if (originHost !== host) throw new HttpError(403, 'cross-origin requests are refused');
    }
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof HttpError) {
      sendJson(res, err.status, { ok: false, error: err.message });
      return;
    }
    this.logger.error({ err }, 'sandbox API request failed');
    sendJson(res, 500, { ok: false, error: err instanceof Error ? err.message : 'internal error' });
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new HttpError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}
