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
import type { z } from 'zod';
import type { Db } from '../../db/index.js';
import type { Logger } from '../logger.js';
import { SLASH_COMMANDS } from '../slack/ids.js';
import { listDryRunIssues } from './dry-run-issues.js';
import type { LiveUpdates } from './live-updates.js';
import { decodeEmail } from './mime-decode.js';
import type { Outbox } from './outbox.js';
import { Bodies, userId } from './sandbox-api/bodies.js';
import { guardRequest, HttpError, parse, readRequestBody, sendJson } from './sandbox-api/http.js';
import { pageState } from './sandbox-api/page-state.js';
import { ProblemLog } from './sandbox-api/problems.js';
import { type SentResponse, SlackRequestSender, StaleElementError } from './slack-requests.js';
import type { SlackWebApiStandIn } from './slack-web-api.js';
import { sendPublicFile } from './static-files.js';
import { mentions, toSlackText } from './user-text.js';
import { postSampleDiscussion, SANDBOX_CHANNELS, SANDBOX_PEOPLE, SANDBOX_SHORTCUTS } from './workspace.js';

type Json = Record<string, unknown>;

export type { Problem } from './sandbox-api/page-state.js';

export interface Route {
  path: string;
  method: string | string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
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

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class SandboxApi {
  private readonly standIn: SlackWebApiStandIn;
  private readonly live: LiveUpdates;
  private readonly logger: Logger;
  private sender: SlackRequestSender | undefined;
  private db: Db | undefined;
  private readonly problems: ProblemLog;
  /** When each ephemeral appeared (the stand-in keeps none), to place it among the messages. */
  private readonly ephemeralTimes: string[] = [];
  private readonly unsubscribe: () => void;

  constructor(private readonly options: SandboxApiOptions) {
    this.standIn = options.standIn;
    this.live = options.live;
    this.logger = options.logger;
    this.problems = new ProblemLog(this.standIn, this.live, this.logger);
    this.unsubscribe = this.standIn.onChange((event) => {
      if (event.kind === 'ephemeral.posted') this.ephemeralTimes.push(this.nowTs());
      if (event.kind === 'api.error') this.problems.recordApiError();
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
          guardRequest(req, false, this.options.loopbackOnly);
          await sendPublicFile(res, 'index.html');
        }),
      },
      {
        path: '/sandbox/static/:file',
        method: 'GET',
        handler: wrap(async (req, res) => {
          guardRequest(req, false, this.options.loopbackOnly);
          await sendPublicFile(res, req.params?.file ?? '');
        }),
      },
      {
        path: '/sandbox/events',
        method: 'GET',
        handler: wrap(async (req, res) => {
          guardRequest(req, false, this.options.loopbackOnly);
          this.live.handle(req, res);
        }),
      },
      {
        path: '/sandbox/api/:endpoint',
        method: ['GET', 'POST'],
        handler: wrap(async (req, res) => {
          const post = req.method === 'POST';
          guardRequest(req, post, this.options.loopbackOnly);
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
        sendJson(res, 200, { raw, email: decodeEmail(raw) });
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
    return pageState({
      standIn: this.standIn,
      user,
      version: this.live.version,
      approvers: this.options.approvers,
      ephemeralTimes: this.ephemeralTimes,
      problems: this.problems.list,
    });
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
        return this.problems.outcome(await this.requireSender().messageShortcut(a), 'the message shortcut');
      }
      case 'action':
        return this.action(parse(Bodies.action, body));
      case 'submit':
        return this.submit(parse(Bodies.submit, body));
      case 'close': {
        const a = parse(Bodies.close, body);
        const view = this.standIn.view(a.viewId);
        if (view?.kind !== 'modal' || view.userId !== a.user) throw new HttpError(404, 'no such open modal');
        const sent = await this.requireSender().viewClosed(a);
        return sent ? this.problems.outcome(sent, 'view_closed') : { ok: true };
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
        return this.problems.outcome(sent, 'app_home_opened');
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
    return { ...this.problems.outcome(sent, 'the app_mention event'), ts: posted.ts };
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
    if (sent.status !== 200) return this.problems.outcome(sent, a.command);
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
        this.problems.add('app', `Slack refused the answer to ${a.command} (HTTP ${res.status})`, [detail]);
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
              ...(a.values !== undefined ? { values: a.values } : {}),
            })
          : await sender.homeBlockAction({
              user: a.user,
              actionId: a.actionId,
              ...(a.value !== undefined ? { value: a.value } : {}),
              ...(a.values !== undefined ? { values: a.values } : {}),
            });
    } catch (err) {
      // The card changed between render and click: Slack would not send the click either, and the person
      // sees the new card, not an error. The page refreshes quietly.
      if (err instanceof StaleElementError) return { ok: false, stale: true, error: err.message };
      throw err;
    }
    return this.problems.outcome(sent, `the click on ${a.actionId}`);
  }

  private async submit(a: z.infer<typeof Bodies.submit>): Promise<Json> {
    const open = this.standIn.view(a.viewId);
    if (open?.kind !== 'modal' || open.userId !== a.user) throw new HttpError(404, 'no such open modal');
    let sent: SentResponse;
    try {
      sent = await this.requireSender().viewSubmission(a);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.problems.add('view', 'Slack could not show the view the app answered the submission with', [
        message,
      ]);
      return { ok: false, error: 'Slack could not show the app’s answer; see Problems.' };
    }
    if (sent.status !== 200) return this.problems.outcome(sent, 'the submission');
    const ack = isObject(sent.json) ? sent.json : {};
    if (ack.response_action === 'errors' && isObject(ack.errors)) {
      const errors = Object.fromEntries(Object.entries(ack.errors).map(([k, v]) => [k, String(v)]));
      // Only the page that submitted shows these (as the Slack client does): a reload shows the modal without them.
      return { ok: true, responseAction: 'errors', errors };
    }
    return {
      ok: true,
      ...(typeof ack.response_action === 'string' ? { responseAction: ack.response_action } : {}),
    };
  }

  // ---------------------------------------------------------------- helpers

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
