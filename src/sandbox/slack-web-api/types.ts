/** The stand-in's public types (re-exported by `../slack-web-api.ts`) and the internal records behind them. */

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

export type Json = Record<string, unknown>;

export interface StoredMessage extends StandInMessage {
  subtype?: string;
}

export interface ViewRecord {
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

export interface ResponseUrlRecord {
  channel: string;
  user: string;
  threadTs?: string;
  messageTs?: string;
  uses: number;
}

export interface Reply {
  status: number;
  body: Json;
  headers?: Record<string, string>;
  stall?: Pick<StandInFault, 'stall' | 'trickleMs'>;
}

/** A Slack API error: answered as HTTP 200 `{ ok: false, error, ...extra }`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
  ) {
    super(code);
  }
}

/** Slack's limits the stand-in enforces. */
export const RESPONSE_URL_MAX_USES = 5; // Slack: a response_url takes up to 5 responses within 30 minutes
export const VIEW_STACK_LIMIT = 3; // Slack: views.push fails with push_limit_reached past 3 views

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Web API method: its parsed arguments in, the body after `ok: true` out; refusals throw `ApiError`. */
export type Handler = (args: Json) => Json;
