/**
 * A stateful stand-in for the Slack Web API, served over real HTTP so the real `@slack/web-api` client
 * (and so Bolt) can be pointed at it with `slackApiUrl`. It keeps channels, users, messages, threads,
 * ephemerals, modals, Home tabs, trigger ids and response URLs, answers the way Slack does (HTTP 200 with
 * `{ ok: false, error }`, 429 + Retry-After for rate limits), validates Block Kit with Slack's limits, and
 * records every call. Tests use it directly; the local sandbox workspace builds its browser page on it.
 *
 * This class is the facade; the parts live in `./slack-web-api/`: the workspace state (`state.ts`), modals
 * and Home tabs (`view-store.ts`), the method families (`*-methods.ts`), response URLs and the HTTP
 * transport with its fault injection (`transport.ts`).
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatHandlers } from './slack-web-api/chat-methods.js';
import { conversationHandlers } from './slack-web-api/conversations-methods.js';
import { ResponseUrls } from './slack-web-api/response-url.js';
import { StandInState } from './slack-web-api/state.js';
import { ApiTransport, send } from './slack-web-api/transport.js';
import {
  clone,
  type RecordedCall,
  type StandInChange,
  type StandInChannel,
  type StandInEphemeral,
  type StandInFault,
  type StandInMessage,
  type StandInOptions,
  type StandInUser,
  type StandInView,
} from './slack-web-api/types.js';
import { usergroupHandlers } from './slack-web-api/usergroups-methods.js';
import { userHandlers } from './slack-web-api/users-methods.js';
import { ViewStore } from './slack-web-api/view-store.js';
import { viewHandlers } from './slack-web-api/views-methods.js';

export type {
  RecordedCall,
  StandInChange,
  StandInChannel,
  StandInEphemeral,
  StandInFault,
  StandInMessage,
  StandInOptions,
  StandInUser,
  StandInView,
} from './slack-web-api/types.js';

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

  private readonly state: StandInState;
  private readonly viewStore: ViewStore;
  private readonly usergroups = new Map<string, readonly string[]>();
  private readonly responseUrls: ResponseUrls;
  private readonly transport: ApiTransport;

  private constructor(
    private readonly server: Server,
    port: number,
    options: StandInOptions,
  ) {
    const host = options.host ?? '127.0.0.1';
    this.origin = `http://${host}:${port}`;
    this.url = `${this.origin}/api/`;
    this.state = new StandInState(this.origin, options);
    this.token = this.state.token;
    this.botUserId = this.state.botUserId;
    this.botId = this.state.botId;
    this.teamId = this.state.teamId;
    this.teamDomain = this.state.teamDomain;
    this.appId = this.state.appId;
    this.appToken = this.state.appToken;
    this.viewStore = new ViewStore(this.state, options.triggerTtlMs ?? 3000);
    this.responseUrls = new ResponseUrls(this.state);
    const handlers = {
      ...userHandlers(this.state),
      ...chatHandlers(this.state),
      ...conversationHandlers(this.state),
      ...viewHandlers(this.state, this.viewStore),
      ...usergroupHandlers(this.usergroups),
    };
    this.transport = new ApiTransport(
      this.state,
      handlers,
      this.responseUrls,
      options.maxRecordedCalls ?? Number.POSITIVE_INFINITY,
      options.socketModeUrl,
    );
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
      standIn.transport.handle(req, res).catch(() => {
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
    this.transport.socketModeUrl = url;
  }

  // ---------------------------------------------------------------- workspace setup and inspection

  /** A user group (`S…`) and its members, for `usergroups.users.list`; replaces an existing one. */
  setUsergroup(id: string, users: readonly string[]): void {
    this.usergroups.set(id, [...users]);
  }

  addUser(user: StandInUser): void {
    this.state.users.set(user.id, { ...user });
    this.state.emit({ kind: 'user.added', userId: user.id });
  }

  addChannel(channel: {
    id: string;
    name: string;
    isPrivate?: boolean;
    botIsMember?: boolean;
    isMpim?: boolean;
    members?: string[];
  }): void {
    this.state.channels.set(channel.id, {
      id: channel.id,
      name: channel.name.replace(/^#/, ''),
      isPrivate: channel.isPrivate ?? channel.isMpim ?? false,
      botIsMember: channel.botIsMember ?? true,
      isIm: false,
      ...(channel.isMpim ? { isMpim: true } : {}),
      ...(channel.members ? { members: [...channel.members] } : {}),
    });
    this.state.emit({ kind: 'channel.added', channel: channel.id });
  }

  user(id: string): StandInUser | undefined {
    const u = this.state.users.get(id);
    return u ? { ...u } : undefined;
  }

  channel(id: string): StandInChannel | undefined {
    const c = this.state.channels.get(id);
    return c ? { ...c } : undefined;
  }

  /** A human posts (top level, or into a thread when `threadTs` names any message of it). */
  postMessage(m: { channel: string; user: string; text: string; threadTs?: string }): StandInMessage {
    const state = this.state;
    const channel = state.channels.get(m.channel);
    if (!channel) throw new Error(`unknown channel ${m.channel}`);
    const threadTs = m.threadTs === undefined ? undefined : state.threadRoot(channel.id, m.threadTs);
    if (m.threadTs !== undefined && threadTs === undefined) throw new Error(`unknown thread ${m.threadTs}`);
    const stored = state.insert({
      channel: channel.id,
      ts: state.nextTs(),
      threadTs,
      user: m.user,
      text: m.text,
    });
    return state.publicMessage(stored);
  }

  message(channel: string, ts: string): StandInMessage | undefined {
    const m = this.state.stored(channel, ts);
    return m ? this.state.publicMessage(m) : undefined;
  }

  messages(channel: string): StandInMessage[] {
    return this.state.sorted(channel).map((m) => this.state.publicMessage(m));
  }

  thread(channel: string, threadTs: string): StandInMessage[] {
    const root = this.state.threadRoot(channel, threadTs);
    if (root === undefined) return [];
    return this.state
      .sorted(channel)
      .filter((m) => m.ts === root || m.threadTs === root)
      .map((m) => this.state.publicMessage(m));
  }

  /** The message as the Web API returns it (reply counts, `thread_ts`, `bot_id`, …), for payloads. */
  apiMessage(channel: string, ts: string): Record<string, unknown> | undefined {
    const m = this.state.stored(channel, ts);
    return m ? this.state.toApi(m) : undefined;
  }

  ephemerals(): StandInEphemeral[] {
    return clone(this.state.ephemeralList);
  }

  openedViews(): Array<{ id: string; userId: string; view: Record<string, unknown> }> {
    return this.viewStore.openedViews();
  }

  homeView(userId: string): Record<string, unknown> | undefined {
    return this.viewStore.homeView(userId);
  }

  /** Any view the stand-in knows (open modal or published Home tab), by id. */
  view(viewId: string): StandInView | undefined {
    return this.viewStore.view(viewId);
  }

  calls(method?: string): RecordedCall[] {
    const list = this.transport.callList;
    return clone(method === undefined ? list : list.filter((c) => c.method === method));
  }

  createTriggerId(userId: string): string {
    return this.viewStore.createTriggerId(userId);
  }

  /** A response_url on the stand-in; `messageTs` is the message an interaction came from (for replace/delete). */
  createResponseUrl(channel: string, user: string, threadTs?: string, messageTs?: string): string {
    return this.responseUrls.create(channel, user, threadTs, messageTs);
  }

  responses(): Array<{ url: string; body: Record<string, unknown> }> {
    return clone(this.responseUrls.sent);
  }

  permalink(channel: string, ts: string, threadTs?: string): string {
    return this.state.permalink(channel, ts, threadTs);
  }

  /**
   * The most calls of `method` the stand-in was answering at once: a client's concurrency, seen
   * from Slack. Calls are answered as soon as they arrive, so give the method a latency to see it.
   */
  peakConcurrency(method: string): number {
    return this.transport.active.get(method)?.peak ?? 0;
  }

  /** Every call of `method` is answered after `ms` (0 → at once), like a slow Slack. */
  setLatency(method: string, ms: number): void {
    if (ms > 0) this.transport.latencies.set(method, ms);
    else this.transport.latencies.delete(method);
  }

  /**
   * The next `times` calls of `method` fail with `fault`: status 429 → HTTP 429, Retry-After,
   * `ratelimited`; other statuses (401, 500, 503…) with `{ ok: false, error }`; or they stall.
   */
  failNext(method: string, fault: StandInFault, times = 1): void {
    const queue = this.transport.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push({ ...fault });
    this.transport.faults.set(method, queue);
  }

  /** Forgets faults not used up yet. */
  clearFaults(): void {
    this.transport.faults.clear();
  }

  onChange(listener: (event: StandInChange) => void): () => void {
    return this.state.onChange(listener);
  }

  /**
   * Applies the app's acknowledgement of a `view_submission` the way the Slack client does: an empty ack
   * closes the submitted view, `clear` closes the whole stack, `update` replaces it, `push` stacks a new one,
   * `errors` keeps it open. Returns Block Kit errors when an `update`/`push` view is invalid (Slack would
   * refuse to show it).
   */
  resolveViewSubmission(viewId: string, ack: unknown): { closed: boolean; errors: string[] } {
    return this.viewStore.resolveViewSubmission(viewId, ack);
  }

  /** Closes a modal (and the views stacked on it); `all` closes the user's whole stack. */
  closeView(viewId: string, all = false): void {
    this.viewStore.closeView(viewId, all);
  }
}
