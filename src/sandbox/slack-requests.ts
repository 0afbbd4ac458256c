/**
 * Sends requests into an app's `/slack/events` exactly as Slack does: signed with the signing secret,
 * slash commands and interactions form-encoded (interactions as a `payload=` JSON field), events as JSON
 * in an `event_callback` envelope. Payloads are built from what the Slack stand-in holds (the message a
 * button sits on, the open modal, the published Home tab), with trigger ids and response URLs the stand-in
 * issued, so the app can answer through the Web API as it would in production.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SlackWebApiStandIn } from './slack-web-api.js';

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

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function actionTs(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

/** Finds an interactive element by action_id (and block_id) in a list of blocks. */
function findElement(
  blocks: unknown,
  actionId: string,
  blockId?: string,
): { element: Json; blockId: string } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const id = typeof block.block_id === 'string' ? block.block_id : '';
    if (blockId !== undefined && id !== blockId) continue;
    const candidates: unknown[] = [];
    if (Array.isArray(block.elements)) candidates.push(...block.elements);
    if (block.accessory !== undefined) candidates.push(block.accessory);
    if (block.element !== undefined) candidates.push(block.element);
    for (const el of candidates) {
      if (isObject(el) && el.action_id === actionId) return { element: el, blockId: id };
    }
  }
  return undefined;
}

function optionsOf(element: Json): Json[] {
  const direct = Array.isArray(element.options) ? element.options : [];
  const grouped = Array.isArray(element.option_groups)
    ? element.option_groups.flatMap((g) => (isObject(g) && Array.isArray(g.options) ? g.options : []))
    : [];
  return [...direct, ...grouped].filter(isObject);
}

/** The action entry Slack sends for a click or selection on `element`. */
function actionFor(element: Json, blockId: string, value: string | undefined, values?: string[]): Json {
  const type = String(element.type);
  const base: Json = { type, block_id: blockId, action_id: element.action_id, action_ts: actionTs() };
  switch (type) {
    case 'button':
      return {
        ...base,
        text: element.text,
        ...(element.value !== undefined || value !== undefined ? { value: value ?? element.value } : {}),
        ...(element.style !== undefined ? { style: element.style } : {}),
        ...(element.url !== undefined ? { url: element.url } : {}),
      };
    case 'static_select':
    case 'radio_buttons':
    case 'overflow': {
      const option = optionsOf(element).find((o) => o.value === value);
      if (!option) throw new Error(`no option with value ${String(value)} in ${String(element.action_id)}`);
      return { ...base, selected_option: { text: option.text, value: option.value } };
    }
    case 'checkboxes': {
      const ticked = new Set(values ?? []);
      const selected = optionsOf(element).filter((o) => ticked.has(String(o.value)));
      return { ...base, selected_options: selected.map((o) => ({ text: o.text, value: o.value })) };
    }
    case 'users_select':
      return { ...base, selected_user: value };
    case 'datepicker':
      return { ...base, selected_date: value };
    default:
      return { ...base, ...(value !== undefined ? { value } : {}) };
  }
}

/** The value state Slack reports for an input element nobody filled in. */
/**
 * The state Slack reports for an input the person did not touch: its initial value
 * (initial_value, initial_option, initial_date, …), or empty when it has none.
 */
function untouchedState(element: Json): Json {
  const type = String(element.type);
  const initialOption = isObject(element.initial_option)
    ? { text: element.initial_option.text, value: element.initial_option.value }
    : null;
  const initialOptions = Array.isArray(element.initial_options)
    ? element.initial_options.filter(isObject).map((o) => ({ text: o.text, value: o.value }))
    : [];
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: initialOption };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: initialOptions };
    case 'users_select':
      return { type, selected_user: typeof element.initial_user === 'string' ? element.initial_user : null };
    case 'multi_users_select':
      return { type, selected_users: Array.isArray(element.initial_users) ? element.initial_users : [] };
    case 'conversations_select':
      return {
        type,
        selected_conversation:
          typeof element.initial_conversation === 'string' ? element.initial_conversation : null,
      };
    case 'channels_select':
      return {
        type,
        selected_channel: typeof element.initial_channel === 'string' ? element.initial_channel : null,
      };
    case 'datepicker':
      return { type, selected_date: typeof element.initial_date === 'string' ? element.initial_date : null };
    case 'timepicker':
      return { type, selected_time: typeof element.initial_time === 'string' ? element.initial_time : null };
    default:
      return { type, value: typeof element.initial_value === 'string' ? element.initial_value : null };
  }
}

// ---------------------------------------------------------------- view.state.values helpers

export function plainText(value: string | null): Json {
  return { type: 'plain_text_input', value };
}

/** `text` defaults to the option's text in the view when the submission is sent. */
export function staticSelect(value: string | null, text?: string): Json {
  return {
    type: 'static_select',
    selected_option:
      value === null ? null : { text: { type: 'plain_text', text: text ?? value, emoji: true }, value },
  };
}

export function multiStaticSelect(values: string[]): Json {
  return {
    type: 'multi_static_select',
    selected_options: values.map((value) => ({
      text: { type: 'plain_text', text: value, emoji: true },
      value,
    })),
  };
}

/** `date` is YYYY-MM-DD. */
export function datePicker(date: string | null): Json {
  return { type: 'datepicker', selected_date: date };
}

export function usersSelect(user: string | null): Json {
  return { type: 'users_select', selected_user: user };
}

export function multiUsersSelect(users: string[]): Json {
  return { type: 'multi_users_select', selected_users: users };
}

export function checkboxes(values: string[]): Json {
  return {
    type: 'checkboxes',
    selected_options: values.map((value) => ({
      text: { type: 'plain_text', text: value, emoji: true },
      value,
    })),
  };
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
    const values = this.stateValues(view.blocks, a.values, a.viewId);
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

  private stateValues(
    blocks: unknown,
    given: Record<string, Record<string, unknown>>,
    viewId: string,
  ): Record<string, Record<string, unknown>> {
    const values: Record<string, Record<string, unknown>> = {};
    const inputs = Array.isArray(blocks) ? blocks.filter(isObject).filter((b) => b.type === 'input') : [];
    for (const block of inputs) {
      const el = block.element;
      if (typeof block.block_id !== 'string' || !isObject(el) || typeof el.action_id !== 'string') continue;
      values[block.block_id] = { [el.action_id]: untouchedState(el) };
    }
    for (const [blockId, actions] of Object.entries(given)) {
      for (const [actionId, value] of Object.entries(actions)) {
        const found = findElement(blocks, actionId, blockId);
        if (!found) throw new Error(`view ${viewId} has no input ${blockId}/${actionId}`);
        values[blockId] = { ...values[blockId], [actionId]: this.withOptionText(found.element, value) };
      }
    }
    return values;
  }

  /** Fills selected options' text from the view, as Slack reports the option the user actually saw. */
  private withOptionText(element: Json, value: unknown): unknown {
    if (!isObject(value)) return value;
    const options = optionsOf(element);
    const fill = (o: unknown) => {
      if (!isObject(o)) return o;
      const match = options.find((opt) => opt.value === o.value);
      if (!match) throw new Error(`no option with value ${String(o.value)} in ${String(element.action_id)}`);
      return { text: match.text, value: match.value };
    };
    if (isObject(value.selected_option)) return { ...value, selected_option: fill(value.selected_option) };
    if (Array.isArray(value.selected_options))
      return { ...value, selected_options: value.selected_options.map(fill) };
    return value;
  }

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

/** The state-value helpers in one object: `stateValue.plainText('x')`. */
export const stateValue = {
  plainText,
  staticSelect,
  multiStaticSelect,
  datePicker,
  usersSelect,
  multiUsersSelect,
  checkboxes,
} as const;
