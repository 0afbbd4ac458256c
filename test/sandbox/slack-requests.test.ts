import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  datePicker,
  plainText,
  SlackRequestSender,
  StaleElementError,
  signSlackRequest,
  staticSelect,
  usersSelect,
} from '../../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';

const SECRET = 'test-signing-secret';

describe('signSlackRequest', () => {
  it('matches an HMAC computed independently', () => {
    const body = 'token=abc&command=%2Fextract&text=hello';
    const expected = createHmac('sha256', SECRET).update(`v0:1531420618:${body}`).digest('hex');
    expect(signSlackRequest(SECRET, body, 1531420618)).toEqual({
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': `v0=${expected}`,
    });
  });

  it('changes with the body, the timestamp and the secret', () => {
    const base = signSlackRequest(SECRET, 'a', 100)['x-slack-signature'];
    expect(signSlackRequest(SECRET, 'b', 100)['x-slack-signature']).not.toBe(base);
    expect(signSlackRequest(SECRET, 'a', 101)['x-slack-signature']).not.toBe(base);
    expect(signSlackRequest('other', 'a', 100)['x-slack-signature']).not.toBe(base);
  });
});

/** A tiny receiver that checks signatures the way Slack documents, and keeps what it accepted. */
async function verifyingServer(): Promise<{
  server: Server;
  url: string;
  received: Array<{ body: string; headers: IncomingHttpHeaders }>;
}> {
  const received: Array<{ body: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-slack-request-timestamp'] ?? '');
      const given = Buffer.from(String(req.headers['x-slack-signature'] ?? ''));
      const wanted = Buffer.from(
        `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
      );
      const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
      if (!fresh || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
        res.writeHead(401).end('bad signature');
        return;
      }
      received.push({ body, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/slack/events`, received };
}

describe('SlackRequestSender against a verifying server', () => {
  let standIn: SlackWebApiStandIn;
  let receiver: Awaited<ReturnType<typeof verifyingServer>>;
  let sender: SlackRequestSender;

  beforeEach(async () => {
    standIn = await SlackWebApiStandIn.start();
    standIn.addUser({ id: 'U1', name: 'alice' });
    standIn.addChannel({ id: 'C1', name: 'general' });
    receiver = await verifyingServer();
    sender = new SlackRequestSender({ appUrl: receiver.url, signingSecret: SECRET, standIn });
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    await standIn.close();
  });

  it('signs slash commands with a trigger and response URL the stand-in honours', async () => {
    const res = await sender.slashCommand({
      user: 'U1',
      channel: 'C1',
      text: 'https://x.slack.com/archives/C1/p1',
    });
    expect(res).toEqual({ status: 200, body: '{"ok":true}', json: { ok: true } });
    const form = new URLSearchParams(receiver.received[0]?.body);
    expect(receiver.received[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form.get('command')).toBe('/extract');
    expect(form.get('channel_name')).toBe('general');
    expect(form.get('user_name')).toBe('alice');
    const responseUrl = form.get('response_url') ?? '';
    expect(responseUrl.startsWith(standIn.origin)).toBe(true);
    const posted = await fetch(responseUrl, {
      method: 'POST',
      body: JSON.stringify({ text: 'working on it' }),
    });
    expect(posted.status).toBe(200);
    expect(standIn.ephemerals()).toEqual([{ channel: 'C1', user: 'U1', text: 'working on it' }]);
  });

  it('sends events as signed JSON in an event_callback envelope', async () => {
    await sender.event({ type: 'app_home_opened', user: 'U1', tab: 'home' });
    const envelope = JSON.parse(receiver.received[0]?.body ?? '{}') as Record<string, unknown>;
    expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
    expect(envelope).toMatchObject({
      type: 'event_callback',
      team_id: 'T0001',
      event: { type: 'app_home_opened' },
    });
    expect(envelope.event_id).toMatch(/^Ev/);
  });

  it('puts the message as the stand-in holds it into block actions, and refuses missing buttons', async () => {
    const client = new (await import('@slack/bolt')).webApi.WebClient(standIn.token, {
      slackApiUrl: standIn.url,
      retryConfig: { retries: 0 },
    });
    const posted = await client.chat.postMessage({
      channel: 'C1',
      text: 'card',
      blocks: [
        {
          type: 'actions',
          block_id: 'task-1',
          elements: [
            {
              type: 'button',
              action_id: 'task_approve',
              value: '1',
              text: { type: 'plain_text', text: 'Approve' },
            },
          ],
        },
      ],
    });
    const ts = posted.ts as string;
    await sender.blockAction({ user: 'U1', channel: 'C1', messageTs: ts, actionId: 'task_approve' });
    const payload = JSON.parse(new URLSearchParams(receiver.received[0]?.body).get('payload') ?? '{}');
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'message', message_ts: ts, channel_id: 'C1' },
      message: { ts, bot_id: 'BBOT' },
      actions: [{ action_id: 'task_approve', block_id: 'task-1', value: '1', type: 'button' }],
    });
    expect(() =>
      sender.blockAction({ user: 'U1', channel: 'C1', messageTs: ts, actionId: 'missing' }),
    ).toThrow(StaleElementError);
  });

  it('sends what is ticked after a click on checkboxes, and the chosen radio option', async () => {
    const client = new (await import('@slack/bolt')).webApi.WebClient(standIn.token, {
      slackApiUrl: standIn.url,
      retryConfig: { retries: 0 },
    });
    const option = (value: string) => ({ text: { type: 'plain_text' as const, text: value }, value });
    const posted = await client.chat.postMessage({
      channel: 'C1',
      text: 'criteria',
      blocks: [
        {
          type: 'actions',
          block_id: 'crit',
          elements: [
            { type: 'checkboxes', action_id: 'tick', options: [option('a'), option('b'), option('c')] },
            { type: 'radio_buttons', action_id: 'prio', options: [option('HIGH'), option('LOW')] },
          ],
        },
      ],
    });
    const ts = posted.ts as string;
    await sender.blockAction({
      user: 'U1',
      channel: 'C1',
      messageTs: ts,
      actionId: 'tick',
      values: ['c', 'a'],
    });
    await sender.blockAction({ user: 'U1', channel: 'C1', messageTs: ts, actionId: 'prio', value: 'LOW' });
    const actions = receiver.received.map(
      (r) => JSON.parse(new URLSearchParams(r.body).get('payload') ?? '{}').actions[0],
    );
    expect(actions[0]).toMatchObject({
      type: 'checkboxes',
      action_id: 'tick',
      selected_options: [option('a'), option('c')],
    });
    expect(actions[1]).toMatchObject({ type: 'radio_buttons', selected_option: option('LOW') });
  });

  it('closes a modal, and sends view_closed only when the view asked with notify_on_close', async () => {
    const client = new (await import('@slack/bolt')).webApi.WebClient(standIn.token, {
      slackApiUrl: standIn.url,
      retryConfig: { retries: 0 },
    });
    const modal = (notify: boolean) => ({
      type: 'modal' as const,
      callback_id: 'edit',
      title: { type: 'plain_text' as const, text: 'Edit' },
      blocks: [],
      ...(notify ? { notify_on_close: true } : {}),
    });
    const quiet = await client.views.open({ trigger_id: standIn.createTriggerId('U1'), view: modal(false) });
    const quietId = quiet.view?.id ?? '';
    expect(await sender.viewClosed({ user: 'U1', viewId: quietId })).toBeUndefined();
    expect(standIn.view(quietId)).toBeUndefined();
    expect(receiver.received).toHaveLength(0);

    const told = await client.views.open({ trigger_id: standIn.createTriggerId('U1'), view: modal(true) });
    const toldId = told.view?.id ?? '';
    const sent = await sender.viewClosed({ user: 'U1', viewId: toldId });
    expect(sent?.status).toBe(200);
    expect(standIn.view(toldId)).toBeUndefined();
    const payload = JSON.parse(new URLSearchParams(receiver.received[0]?.body).get('payload') ?? '{}');
    expect(payload).toMatchObject({
      type: 'view_closed',
      user: { id: 'U1' },
      view: { id: toldId, callback_id: 'edit', notify_on_close: true },
      is_cleared: false,
    });
    await expect(sender.viewClosed({ user: 'U1', viewId: toldId })).rejects.toThrow(/not an open modal/);
  });

  it('lets raw requests through unsigned, which the server refuses', async () => {
    const res = await sender.raw('payload=%7B%7D', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(401);
    expect(res.json).toBeUndefined();
    const stale = await sender.raw('x', {
      ...signSlackRequest(SECRET, 'x', Math.floor(Date.now() / 1000) - 600),
    });
    expect(stale.status).toBe(401);
  });
});

describe('a real Bolt app, driven through the sender and the stand-in', () => {
  let standIn: SlackWebApiStandIn;
  let app: App;
  let sender: SlackRequestSender;
  const submissions: Array<Record<string, unknown>> = [];

  beforeEach(async () => {
    submissions.length = 0;
    standIn = await SlackWebApiStandIn.start();
    standIn.addUser({ id: 'U1', name: 'alice' });
    standIn.addUser({ id: 'U2', name: 'bob' });
    standIn.addChannel({ id: 'C1', name: 'general' });
    app = new App({
      token: standIn.token,
      signingSecret: SECRET,
      botId: standIn.botId,
      botUserId: standIn.botUserId,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: standIn.url, retryConfig: { retries: 0 } },
    });
    app.command('/extract', async ({ ack, body, client }) => {
      await ack();
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'task_edit_modal',
          private_metadata: JSON.stringify({ channel: body.channel_id }),
          title: { type: 'plain_text', text: 'Edit task' },
          submit: { type: 'plain_text', text: 'Save' },
          blocks: [
            {
              type: 'input',
              block_id: 'title',
              label: { type: 'plain_text', text: 'Title' },
              element: { type: 'plain_text_input', action_id: 'title' },
            },
            {
              type: 'input',
              block_id: 'priority',
              label: { type: 'plain_text', text: 'Priority' },
              element: {
                type: 'static_select',
                action_id: 'priority',
                options: [
                  { text: { type: 'plain_text', text: 'High' }, value: 'high' },
                  { text: { type: 'plain_text', text: 'Low' }, value: 'low' },
                ],
              },
            },
            {
              type: 'input',
              block_id: 'deadline',
              optional: true,
              label: { type: 'plain_text', text: 'Deadline' },
              element: { type: 'datepicker', action_id: 'deadline' },
            },
            {
              type: 'input',
              block_id: 'assignee',
              optional: true,
              label: { type: 'plain_text', text: 'Assignee' },
              element: { type: 'users_select', action_id: 'assignee' },
            },
          ],
        },
      });
    });
    app.view('task_edit_modal', async ({ ack, view }) => {
      const title = view.state.values.title?.title?.value ?? '';
      if (title.trim() === '') {
        await ack({ response_action: 'errors', errors: { title: 'A title is needed' } });
        return;
      }
      submissions.push(view.state.values as unknown as Record<string, unknown>);
      await ack();
    });
    const server = (await app.start(0)) as Server;
    const { port } = server.address() as AddressInfo;
    sender = new SlackRequestSender({
      appUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SECRET,
      standIn,
    });
  });

  afterEach(async () => {
    await app.stop();
    await standIn.close();
  });

  it('opens the modal from a slash command, keeps it open on errors, closes it on success', async () => {
    const ack = await sender.slashCommand({ user: 'U1', channel: 'C1', text: '' });
    expect(ack.status).toBe(200);
    await expect.poll(() => standIn.openedViews().length).toBe(1);
    const viewId = standIn.openedViews()[0]?.id ?? '';

    const rejected = await sender.viewSubmission({
      user: 'U1',
      viewId,
      values: { title: { title: plainText('  ') } },
    });
    expect(rejected.json).toEqual({ response_action: 'errors', errors: { title: 'A title is needed' } });
    expect(standIn.openedViews()).toHaveLength(1);

    await sender.viewSubmission({
      user: 'U1',
      viewId,
      values: {
        title: { title: plainText('Ship it') },
        priority: { priority: staticSelect('high') },
        assignee: { assignee: usersSelect('U2') },
      },
    });
    expect(standIn.openedViews()).toEqual([]);
    expect(submissions[0]).toEqual({
      title: { title: { type: 'plain_text_input', value: 'Ship it' } },
      priority: {
        priority: {
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: 'High' }, value: 'high' },
        },
      },
      deadline: { deadline: datePicker(null) },
      assignee: { assignee: { type: 'users_select', selected_user: 'U2' } },
    });
  });

  it('refuses to submit values for inputs the modal does not have', async () => {
    await sender.slashCommand({ user: 'U1', channel: 'C1', text: '' });
    await expect.poll(() => standIn.openedViews().length).toBe(1);
    const viewId = standIn.openedViews()[0]?.id ?? '';
    await expect(
      sender.viewSubmission({ user: 'U1', viewId, values: { nope: { nope: plainText('x') } } }),
    ).rejects.toThrow(/no input nope\/nope/);
    await expect(
      sender.viewSubmission({
        user: 'U1',
        viewId,
        values: { priority: { priority: staticSelect('urgent') } },
      }),
    ).rejects.toThrow(/no option/);
  });

  it('rejects a badly signed request at Bolt', async () => {
    const body = 'command=%2Fextract';
    const res = await sender.raw(body, {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest('wrong-secret', body),
    });
    expect(res.status).toBe(401);
    expect(standIn.openedViews()).toEqual([]);
  });
});
