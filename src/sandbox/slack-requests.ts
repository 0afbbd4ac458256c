/**
 * Sends requests into an app's `/slack/events` exactly as Slack does: signed with the signing secret,
 * slash commands and interactions form-encoded (interactions as a `payload=` JSON field), events as JSON
 * in an `event_callback` envelope. Payloads are built from what the Slack stand-in holds (the message a
 * button sits on, the open modal, the published Home tab), with trigger ids and response URLs the stand-in
 * issued, so the app can answer through the Web API as it would in production.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { actionFor, actionTs, findElement, stateValues } from './slack-requests/elements.js';
import type { SlackWebApiStandIn } from './slack-web-api.js';

export {
  checkboxes,
  datePicker,
  multiStaticSelect,
  multiUsersSelect,
  plainText,
  stateValue,
  staticSelect,
  usersSelect,
} from './slack-requests/state-values.js';

type Json = Record<string, unknown>;

/** Headers Slack adds to every request: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSec: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': `v0=${signature}` };
}

export interface SentResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

export interface SlackRequestSenderOptions {
  /** e.g. http://127.0.0.1:3000/slack/events */
  appUrl: string;
  signingSecret: string;
  standIn: SlackWebApiStandIn;
  /** The deprecated verification token Slack still puts in payloads. */
  verificationToken?: string;
}

export interface SlashCommandArgs {
  user: string;
  channel: string;
  text: string;
  command?: string;
}

/**
 * The element clicked is no longer there (the message or Home tab changed, or is gone): Slack would not
 * have sent the click, so there is nothing to send.
 */
export class StaleElementError extends Error {}

export interface BlockActionArgs {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value?: string;
  /** The options ticked after the click, for checkboxes. */
  values?: string[];
  blockId?: string;
}

export interface ViewSubmissionArgs {
  user: string;
  viewId: string;
  values: Record<string, Record<string, unknown>>;
}

export class SlackRequestSender {
  private readonly appUrl: string;
  private readonly signingSecret: string;
  private readonly standIn: SlackWebApiStandIn;
  private readonly verificationToken: string;
  private eventCounter = 0;

  constructor(options: SlackRequestSenderOptions) {
    this.appUrl = options.appUrl;
    this.signingSecret = options.signingSecret;
    this.standIn = options.standIn;
    this.verificationToken = options.verificationToken ?? 'legacy-verification-token';
  }

  /** A slash command, typed in `channel`, form-encoded with a fresh trigger_id and response_url. */
  slashCommand(a: SlashCommandArgs): Promise<SentResponse> {
    return this.sendForm(new URLSearchParams(this.slashCommandPayload(a)).toString());
  }

  /**
   * The fields of a slash command, with a fresh trigger_id and response_url: form-encoded over HTTP, the
   * `payload` object of a `slash_commands` envelope in Socket Mode.
   */
  slashCommandPayload(a: SlashCommandArgs): Record<string, string> {
    const channel = this.standIn.channel(a.channel);
    const fields: Record<string, string> = {
      token: this.verificationToken,
      team_id: this.standIn.teamId,
      team_domain: this.standIn.teamDomain,
      channel_id: a.channel,
      channel_name: channel?.name ?? 'unknown',
      user_id: a.user,
      user_name: this.userName(a.user),
      command: a.command ?? '/extract',
      text: a.text,
      api_app_id: this.standIn.appId,
      is_enterprise_install: 'false',
      response_url: this.standIn.createResponseUrl(a.channel, a.user),
      trigger_id: this.standIn.createTriggerId(a.user),
    };
    return fields;
  }

  /** A click (or selection) on an element of a message the stand-in holds; throws if the element is not there. */
  blockAction(a: BlockActionArgs): Promise<SentResponse> {
    return this.sendPayload(this.blockActionPayload(a));
  }

  /** The `block_actions` payload of a click on a message the stand-in holds (HTTP `payload=` field, or Socket Mode `interactive`). */
  blockActionPayload(a: BlockActionArgs): Json {
    const message = this.standIn.apiMessage(a.channel, a.messageTs);
    if (!message) throw new StaleElementError(`no message ${a.messageTs} in ${a.channel}`);
    const found = findElement(message.blocks, a.actionId, a.blockId);
    if (!found)
      throw new StaleElementError(`message ${a.messageTs} has no element with action_id ${a.actionId}`);
    const threadTs = typeof message.thread_ts === 'string' ? message.thread_ts : undefined;
    const payload: Json = {
      type: 'block_actions',
      user: this.userObject(a.user),
      api_app_id: this.standIn.appId,
      token: this.verificationToken,
      container: {
        type: 'message',
        message_ts: a.messageTs,
        channel_id: a.channel,
        is_ephemeral: false,
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      },
      trigger_id: this.standIn.createTriggerId(a.user),
      team: this.team(),
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: a.channel, name: this.standIn.channel(a.channel)?.name ?? 'unknown' },
      message,
      state: { values: {} },
      response_url: this.standIn.createResponseUrl(a.channel, a.user, threadTs, a.messageTs),
      actions: [actionFor(found.element, found.blockId, a.value, a.values)],
    };
    return payload;
  }

  /** A click inside the Home tab the stand-in holds for `user`. */
  homeBlockAction(a: {
    user: string;
    actionId: string;
    value?: string;
    values?: string[];
  }): Promise<SentResponse> {
    const view = this.standIn.homeView(a.user);
    if (!view) throw new StaleElementError(`no Home tab published for ${a.user}`);
    const found = findElement(view.blocks, a.actionId);
    if (!found)
      throw new StaleElementError(`the Home tab of ${a.user} has no element with action_id ${a.actionId}`);
    const payload: Json = {
      type: 'block_actions',
      user: this.userObject(a.user),
      api_app_id: this.standIn.appId,
      token: this.verificationToken,
      container: { type: 'view', view_id: view.id },
      trigger_id: this.standIn.createTriggerId(a.user),
      team: this.team(),
      enterprise: null,
      is_enterprise_install: false,
      view,
      actions: [actionFor(found.element, found.blockId, a.value, a.values)],
    };
    return this.sendPayload(payload);
  }

  /**
   * Submits the open modal `viewId` with `values` (block_id → action_id → state value). Inputs left out keep
   * their initial value, as Slack does. The app's ack is then applied to the stand-in like the Slack client would
   * (close, update, push, clear, errors); an invalid update/push view throws.
   */
  async viewSubmission(a: ViewSubmissionArgs): Promise<SentResponse> {
    const sent = await this.sendPayload(this.viewSubmissionPayload(a));
    if (sent.status === 200) this.applyViewSubmissionAck(a.viewId, sent.json);
    return sent;
  }

  /** The `view_submission` payload for the open modal `viewId`; inputs left out keep their initial value. */
  viewSubmissionPayload(a: ViewSubmissionArgs): Json {
    const open = this.standIn.view(a.viewId);
    if (open?.kind !== 'modal') throw new Error(`view ${a.viewId} is not an open modal`);
    if (open.userId !== a.user) throw new Error(`view ${a.viewId} belongs to ${open.userId}, not ${a.user}`);
    const view = open.view;
    const values = stateValues(view.blocks, a.values, a.viewId);
    const payload: Json = {
      type: 'view_submission',
      team: this.team(),
      user: this.userObject(a.user),
      api_app_id: this.standIn.appId,
      token: this.verificationToken,
      trigger_id: this.standIn.createTriggerId(a.user),
      view: { ...view, state: { values } },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return payload;
  }

  /**
   * Applies the app's answer to a view submission to the stand-in as the Slack client would (close, update,
   * push, clear, errors); an invalid update/push view throws.
   */
  applyViewSubmissionAck(viewId: string, ack: unknown): void {
    const result = this.standIn.resolveViewSubmission(viewId, ack);
    if (result.errors.length > 0) {
      throw new Error(`the app answered the submission with an invalid view: ${result.errors.join('; ')}`);
    }
  }

  /**
   * The person closes the open modal `viewId` (✕ or Cancel): the stand-in closes it, and Slack tells the app
   * with `view_closed` only when the view asked for it (`notify_on_close`); otherwise nothing is sent.
   */
  async viewClosed(a: { user: string; viewId: string }): Promise<SentResponse | undefined> {
    const open = this.standIn.view(a.viewId);
    if (open?.kind !== 'modal') throw new Error(`view ${a.viewId} is not an open modal`);
    if (open.userId !== a.user) throw new Error(`view ${a.viewId} belongs to ${open.userId}, not ${a.user}`);
    this.standIn.closeView(a.viewId);
    if (open.view.notify_on_close !== true) return undefined;
    return this.sendPayload({
      type: 'view_closed',
      team: this.team(),
      user: this.userObject(a.user),
      api_app_id: this.standIn.appId,
      token: this.verificationToken,
      view: open.view,
      is_cleared: false,
      is_enterprise_install: false,
      enterprise: null,
    });
  }

  /** The message shortcut `callbackId` used on a message the stand-in holds. */
  messageShortcut(a: {
    user: string;
    channel: string;
    messageTs: string;
    callbackId: string;
  }): Promise<SentResponse> {
    const message = this.standIn.apiMessage(a.channel, a.messageTs);
    if (!message) throw new Error(`no message ${a.messageTs} in ${a.channel}`);
    const threadTs = typeof message.thread_ts === 'string' ? message.thread_ts : undefined;
    const payload: Json = {
      type: 'message_action',
      token: this.verificationToken,
      action_ts: actionTs(),
      team: this.team(),
      user: { ...this.userObject(a.user) },
      channel: { id: a.channel, name: this.standIn.channel(a.channel)?.name ?? 'unknown' },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: a.callbackId,
      trigger_id: this.standIn.createTriggerId(a.user),
      response_url: this.standIn.createResponseUrl(a.channel, a.user, threadTs, a.messageTs),
      message_ts: a.messageTs,
      message,
    };
    return this.sendPayload(payload);
  }

  /** An Events API event (app_mention, app_home_opened, …) in its `event_callback` envelope. */
  event(event: Record<string, unknown>): Promise<SentResponse> {
    return this.send(JSON.stringify(this.eventCallback(event)), 'application/json');
  }

  /** The `event_callback` envelope of an event: the HTTP body, or the `payload` of a Socket Mode `events_api` envelope. */
  eventCallback(event: Record<string, unknown>): Json {
    this.eventCounter += 1;
    const nowSec = Math.floor(Date.now() / 1000);
    const envelope: Json = {
      token: this.verificationToken,
      team_id: this.standIn.teamId,
      context_team_id: this.standIn.teamId,
      api_app_id: this.standIn.appId,
      event: { event_ts: actionTs(), ...event },
      type: 'event_callback',
      event_id: `Ev${String(this.eventCounter).padStart(4, '0')}${randomBytes(4).toString('hex').toUpperCase()}`,
      event_time: nowSec,
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.standIn.teamId,
          user_id: this.standIn.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    };
    return envelope;
  }

  /** Sends `body` with exactly `headers` (no signature added): for malformed and unsigned requests. */
  async raw(body: string, headers: Record<string, string>): Promise<SentResponse> {
    const response = await fetch(this.appUrl, { method: 'POST', headers, body });
    return this.toSent(response);
  }

  // ---------------------------------------------------------------- internals

  private userName(userId: string): string {
    return this.standIn.user(userId)?.name ?? userId.toLowerCase();
  }

  private userObject(userId: string): Json {
    const name = this.userName(userId);
    return { id: userId, username: name, name, team_id: this.standIn.teamId };
  }

  private team(): Json {
    return { id: this.standIn.teamId, domain: this.standIn.teamDomain };
  }

  private sendPayload(payload: Json): Promise<SentResponse> {
    return this.sendForm(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  private sendForm(body: string): Promise<SentResponse> {
    return this.send(body, 'application/x-www-form-urlencoded');
  }

  private async send(body: string, contentType: string): Promise<SentResponse> {
    const response = await fetch(this.appUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, ...signSlackRequest(this.signingSecret, body) },
      body,
    });
    return this.toSent(response);
  }

  private async toSent(response: Response): Promise<SentResponse> {
    const body = await response.text();
    let json: unknown;
    if (body.length > 0) {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, body, json };
  }
}
