import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';

const { WebClient, ErrorCode } = webApi;
type WebClientT = InstanceType<typeof WebClient>;

/** The error code WebClient puts on a platform error (`{ ok: false, error }`). */
async function slackError(
  p: Promise<unknown>,
): Promise<{ code: string; error?: string; messages: string[] }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: string; data?: { error?: string; response_metadata?: { messages?: string[] } } };
    return { code: e.code, error: e.data?.error, messages: e.data?.response_metadata?.messages ?? [] };
  }
  throw new Error('expected the call to fail');
}

const section = (text: string, blockId?: string) => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});
const modal = (title = 'Edit task', extra: Record<string, unknown> = {}) => ({
  type: 'modal' as const,
  callback_id: 'task_edit_modal',
  title: { type: 'plain_text' as const, text: title },
  submit: { type: 'plain_text' as const, text: 'Save' },
  blocks: [
    {
      type: 'input',
      block_id: 'title',
      label: { type: 'plain_text', text: 'Title' },
      element: { type: 'plain_text_input', action_id: 'title' },
    },
  ],
  ...extra,
});

let standIn: SlackWebApiStandIn;
let client: WebClientT;
let clock: number;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  standIn = await SlackWebApiStandIn.start({ now: () => clock, teamDomain: 'acme' });
  standIn.addUser({ id: 'U1', name: 'alice', realName: 'Alice Liddell', displayName: 'alice.l' });
  standIn.addUser({ id: 'U2', name: 'bob' });
  standIn.addChannel({ id: 'C1', name: 'general' });
  standIn.addChannel({ id: 'C2', name: 'secret-lab', botIsMember: false });
  client = new WebClient(standIn.token, { slackApiUrl: standIn.url, retryConfig: { retries: 0 } });
});

afterEach(async () => {
  await standIn.close();
});

describe('auth', () => {
  it('answers auth.test with the bot identity', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0001' });
  });

  it('rejects a wrong token and a missing one, and records both calls', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: standIn.url, retryConfig: { retries: 0 } });
    expect((await slackError(wrong.auth.test())).error).toBe('invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: standIn.url, retryConfig: { retries: 0 } });
    expect((await slackError(none.auth.test())).error).toBe('not_authed');
    expect(standIn.calls('auth.test')).toHaveLength(2);
  });

  it('accepts the token in a JSON body too, and answers unknown_method', async () => {
    const res = await fetch(`${standIn.url}chat.postMessage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${standIn.token}`,
      },
      body: JSON.stringify({ channel: 'C1', text: 'json body', blocks: [section('hi')] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, message: { text: 'json body', bot_id: 'BBOT' } });
    const form = await fetch(`${standIn.url}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${standIn.token}`,
    });
    expect(await form.json()).toMatchObject({ ok: true, user_id: 'UBOT' });
    expect((await slackError(client.apiCall('nope.nothing'))).error).toBe('unknown_method');
  });
});

describe('messages', () => {
  it('posts, updates, links and deletes a bot message', async () => {
    const posted = await client.chat.postMessage({
      channel: 'C1',
      text: 'hello',
      blocks: [section('*hello*')],
    });
    expect(posted.ok).toBe(true);
    const ts = posted.ts as string;
    expect(posted.message).toMatchObject({ text: 'hello', user: 'UBOT', bot_id: 'BBOT' });
    expect(standIn.message('C1', ts)).toMatchObject({ user: 'UBOT', botId: 'BBOT', text: 'hello' });

    await client.chat.update({ channel: 'C1', ts, text: 'hello again' });
    const updated = standIn.message('C1', ts);
    expect(updated?.text).toBe('hello again');
    expect(updated?.blocks).toEqual([section('*hello*')]); // kept when not given
    expect(updated?.edited?.user).toBe('UBOT');

    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: ts });
    expect(link.permalink).toBe(`https://acme.slack.com/archives/C1/p${ts.replace('.', '')}`);

    await client.chat.delete({ channel: 'C1', ts });
    expect(standIn.message('C1', ts)).toBeUndefined();
    expect(standIn.calls('chat.postMessage')[0]?.args.blocks).toEqual([section('*hello*')]);
  });

  it("refuses to edit a human's message and to post nothing", async () => {
    const human = standIn.postMessage({ channel: 'C1', user: 'U1', text: 'mine' });
    expect((await slackError(client.chat.update({ channel: 'C1', ts: human.ts, text: 'x' }))).error).toBe(
      'cant_update_message',
    );
    expect((await slackError(client.chat.postMessage({ channel: 'C1', text: '' }))).error).toBe('no_text');
    expect((await slackError(client.chat.postMessage({ channel: 'C404', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
  });

  it('posts ephemerals and reports them', async () => {
    const res = await client.chat.postEphemeral({
      channel: 'C1',
      user: 'U1',
      text: 'only you',
      thread_ts: '1.0',
    });
    expect(res.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(standIn.ephemerals()).toEqual([{ channel: 'C1', user: 'U1', text: 'only you', threadTs: '1.0' }]);
    expect(
      (await slackError(client.chat.postEphemeral({ channel: 'C1', user: 'U9', text: 'x' }))).error,
    ).toBe('user_not_found');
  });

  it('looks up users and channels', async () => {
    const u = await client.users.info({ user: 'U1' });
    expect(u.user?.profile).toMatchObject({ display_name: 'alice.l', real_name: 'Alice Liddell' });
    expect(u.user?.real_name).toBe('Alice Liddell');
    expect((await slackError(client.users.info({ user: 'U404' }))).error).toBe('user_not_found');
    const c = await client.conversations.info({ channel: 'C1' });
    expect(c.channel).toMatchObject({ id: 'C1', name: 'general', is_member: true, is_private: false });
  });
});

describe('threads', () => {
  it('pages through a long thread with cursors, repeating the parent like Slack', async () => {
    const parent = standIn.postMessage({ channel: 'C1', user: 'U1', text: 'parent' });
    for (let i = 1; i <= 7; i++) {
      clock += 1000;
      standIn.postMessage({
        channel: 'C1',
        user: i % 2 ? 'U1' : 'U2',
        text: `reply ${i}`,
        threadTs: parent.ts,
      });
    }
    const bot = await client.chat.postMessage({ channel: 'C1', text: 'bot reply', thread_ts: parent.ts });
    expect(bot.message?.thread_ts).toBe(parent.ts);

    const pages: Array<{ texts: string[]; hasMore: boolean }> = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.replies({ channel: 'C1', ts: parent.ts, limit: 3, cursor });
      pages.push({ texts: (page.messages ?? []).map((m) => m.text ?? ''), hasMore: page.has_more === true });
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);

    expect(pages.map((p) => p.hasMore)).toEqual([true, true, false]);
    expect(pages[0]?.texts).toEqual(['parent', 'reply 1', 'reply 2']);
    expect(pages[1]?.texts).toEqual(['parent', 'reply 3', 'reply 4', 'reply 5']);
    expect(pages[2]?.texts).toEqual(['parent', 'reply 6', 'reply 7', 'bot reply']);

    const first = await client.conversations.replies({ channel: 'C1', ts: parent.ts });
    expect(first.messages?.[0]).toMatchObject({ reply_count: 8, reply_users_count: 3, thread_ts: parent.ts });
    expect(standIn.thread('C1', parent.ts).map((m) => m.text)).toHaveLength(9);

    const reply = standIn.thread('C1', parent.ts)[2];
    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: reply?.ts ?? '' });
    expect(link.permalink).toContain(`?thread_ts=${parent.ts}&cid=C1`);
  });

  it('answers not_in_channel, channel_not_found and thread_not_found', async () => {
    standIn.postMessage({ channel: 'C2', user: 'U1', text: 'hidden' });
    const ts = standIn.messages('C2')[0]?.ts ?? '';
    expect((await slackError(client.conversations.replies({ channel: 'C2', ts }))).error).toBe(
      'not_in_channel',
    );
    expect((await slackError(client.chat.postMessage({ channel: 'C2', text: 'hi' }))).error).toBe(
      'not_in_channel',
    );
    expect((await slackError(client.conversations.replies({ channel: 'C9', ts }))).error).toBe(
      'channel_not_found',
    );
    expect((await slackError(client.conversations.replies({ channel: 'C1', ts: '123.456' }))).error).toBe(
      'thread_not_found',
    );
    const own = standIn.postMessage({ channel: 'C1', user: 'U1', text: 'visible' });
    expect(
      (await slackError(client.conversations.replies({ channel: 'C1', ts: own.ts, cursor: 'garbage' })))
        .error,
    ).toBe('invalid_cursor');
  });

  it('lists channel history newest first without replies', async () => {
    const a = standIn.postMessage({ channel: 'C1', user: 'U1', text: 'a' });
    standIn.postMessage({ channel: 'C1', user: 'U1', text: 'b' });
    standIn.postMessage({ channel: 'C1', user: 'U2', text: 'in thread', threadTs: a.ts });
    standIn.postMessage({ channel: 'C1', user: 'U2', text: 'c' });
    const page1 = await client.conversations.history({ channel: 'C1', limit: 2 });
    expect(page1.messages?.map((m) => m.text)).toEqual(['c', 'b']);
    const page2 = await client.conversations.history({
      channel: 'C1',
      limit: 2,
      cursor: page1.response_metadata?.next_cursor,
    });
    expect(page2.messages?.map((m) => m.text)).toEqual(['a']);
    expect(page2.has_more).toBe(false);
  });
});

describe('views', () => {
  it('opens a modal with a fresh trigger and refuses reused, expired and unknown ones', async () => {
    const trigger = standIn.createTriggerId('U1');
    const res = await client.views.open({ trigger_id: trigger, view: modal() });
    const view = res.view as { id: string; hash: string; callback_id: string };
    expect(view.id).toMatch(/^V/);
    expect(view.hash).toBeTruthy();
    expect(standIn.openedViews()).toMatchObject([
      { id: view.id, userId: 'U1', view: { callback_id: 'task_edit_modal' } },
    ]);

    expect((await slackError(client.views.open({ trigger_id: trigger, view: modal() }))).error).toBe(
      'exchanged_trigger_id',
    );
    const old = standIn.createTriggerId('U1');
    clock += 3001;
    expect((await slackError(client.views.open({ trigger_id: old, view: modal() }))).error).toBe(
      'expired_trigger_id',
    );
    expect((await slackError(client.views.open({ trigger_id: '1.2.abc', view: modal() }))).error).toBe(
      'invalid_trigger_id',
    );
  });

  it('updates by id and external_id, and detects a stale hash', async () => {
    const opened = await client.views.open({
      trigger_id: standIn.createTriggerId('U1'),
      view: modal('One', { external_id: 'task-1' }),
    });
    const { id, hash } = opened.view as { id: string; hash: string };
    const updated = await client.views.update({
      view_id: id,
      hash,
      view: modal('Two', { external_id: 'task-1' }),
    });
    expect((updated.view as { hash: string }).hash).not.toBe(hash);
    expect((await slackError(client.views.update({ view_id: id, hash, view: modal('Three') }))).error).toBe(
      'hash_conflict',
    );
    await client.views.update({ external_id: 'task-1', view: modal('Four', { external_id: 'task-1' }) });
    expect(standIn.openedViews()[0]?.view.title).toEqual({ type: 'plain_text', text: 'Four' });
    expect((await slackError(client.views.update({ view_id: 'V404', view: modal() }))).error).toBe(
      'not_found',
    );
  });

  it('pushes onto an open modal', async () => {
    await client.views.open({ trigger_id: standIn.createTriggerId('U1'), view: modal('Root') });
    const pushed = await client.views.push({
      trigger_id: standIn.createTriggerId('U1'),
      view: modal('Pushed'),
    });
    const view = pushed.view as { previous_view_id: string; root_view_id: string };
    expect(standIn.openedViews()).toHaveLength(2);
    expect(view.previous_view_id).toBe(standIn.openedViews()[0]?.id);
    expect(
      (await slackError(client.views.push({ trigger_id: standIn.createTriggerId('U2'), view: modal() })))
        .error,
    ).toBe('not_found');
  });

  it('publishes a Home tab per user, with hash checks', async () => {
    const home = { type: 'home' as const, blocks: [section('Recent runs')] };
    const first = await client.views.publish({ user_id: 'U1', view: home });
    expect(standIn.homeView('U1')?.blocks).toEqual([section('Recent runs')]);
    expect(standIn.homeView('U2')).toBeUndefined();
    const hash = (first.view as { hash: string }).hash;
    await client.views.publish({ user_id: 'U1', hash, view: { type: 'home', blocks: [section('v2')] } });
    expect((await slackError(client.views.publish({ user_id: 'U1', hash, view: home }))).error).toBe(
      'hash_conflict',
    );
    expect(standIn.homeView('U1')?.blocks).toEqual([section('v2')]);
  });

  it('rejects an invalid view with invalid_arguments and Slack-style messages', async () => {
    const err = await slackError(
      client.views.open({
        trigger_id: standIn.createTriggerId('U1'),
        view: modal('A title that is far too long'),
      }),
    );
    expect(err.error).toBe('invalid_arguments');
    expect(err.messages).toContain('[ERROR] must be less than 25 characters [json-pointer:/view/title/text]');
    expect(standIn.openedViews()).toEqual([]);
  });
});

describe('fault injection', () => {
  it('makes the WebClient see a rate limit', async () => {
    standIn.failNext('chat.postMessage', { status: 429, retryAfterSec: 7 });
    const strict = new WebClient(standIn.token, {
      slackApiUrl: standIn.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const err = (await strict.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e: unknown) => e)) as {
      code: string;
      retryAfter: number;
    };
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(7);
    // The fault was used up: the next call goes through.
    expect((await strict.chat.postMessage({ channel: 'C1', text: 'x' })).ok).toBe(true);
  });

  it('answers a raw 429 with Retry-After and ratelimited, then platform errors for `times` calls', async () => {
    standIn.failNext('auth.test', { status: 429, retryAfterSec: 2 });
    const res = await fetch(`${standIn.url}auth.test`, { method: 'POST', body: `token=${standIn.token}` });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });

    standIn.failNext('users.info', { error: 'fatal_error' }, 2);
    expect((await slackError(client.users.info({ user: 'U1' }))).error).toBe('fatal_error');
    expect((await slackError(client.users.info({ user: 'U1' }))).error).toBe('fatal_error');
    expect((await client.users.info({ user: 'U1' })).ok).toBe(true);
  });
});

describe('invalid_blocks', () => {
  const cases: Array<[string, unknown[], string]> = [
    [
      'section text over 3000',
      [section('x'.repeat(3001))],
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ],
    [
      'more than 50 blocks',
      Array.from({ length: 51 }, () => ({ type: 'divider' })),
      'no more than 50 items allowed [json-pointer:/blocks]',
    ],
    [
      'button text over 75',
      [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'b'.repeat(76) } }],
        },
      ],
      'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
    ],
    [
      'button style',
      [
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'a', style: 'secondary', text: { type: 'plain_text', text: 'Go' } },
          ],
        },
      ],
      'must be a valid enum value [json-pointer:/blocks/0/elements/0/style]',
    ],
    [
      'header over 150',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      '[json-pointer:/blocks/0/text/text]',
    ],
    [
      'duplicate block_id',
      [section('a', 'same'), section('b', 'same')],
      'duplicate block_id: same [json-pointer:/blocks/1/block_id]',
    ],
    [
      'input in a message',
      [{ type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input' } }],
      '[json-pointer:/blocks/0/type]',
    ],
  ];

  for (const [name, blocks, expected] of cases) {
    it(`rejects ${name}`, async () => {
      const err = await slackError(
        client.chat.postMessage({ channel: 'C1', text: 'fallback', blocks: blocks as never }),
      );
      expect(err.error).toBe('invalid_blocks');
      expect(err.messages.some((m) => m.startsWith('[ERROR]') && m.includes(expected))).toBe(true);
      expect(standIn.messages('C1')).toEqual([]);
    });
  }

  it('accepts blocks exactly at the limits', async () => {
    const blocks = [
      section('x'.repeat(3000)),
      ...Array.from({ length: 49 }, (_, i) => ({ type: 'divider', block_id: `d${i}` })),
    ];
    const res = await client.chat.postMessage({ channel: 'C1', text: 'fallback', blocks });
    expect(res.ok).toBe(true);
  });

  it('validates blocks on chat.update as well', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'ok' });
    const err = await slackError(
      client.chat.update({ channel: 'C1', ts: posted.ts as string, text: 'x', blocks: [section('')] }),
    );
    expect(err.error).toBe('invalid_blocks');
    expect(standIn.message('C1', posted.ts as string)?.text).toBe('ok');
  });
});

describe('response_url', () => {
  it('records ephemeral and in-channel responses, and replaces the original', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'card', blocks: [section('card')] });
    const url = standIn.createResponseUrl('C1', 'U1', undefined, posted.ts as string);
    const post = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    expect((await post({ text: 'just you' })).status).toBe(200);
    expect(standIn.ephemerals()).toEqual([{ channel: 'C1', user: 'U1', text: 'just you' }]);

    await post({ response_type: 'in_channel', text: 'everyone' });
    expect(standIn.messages('C1').map((m) => m.text)).toEqual(['card', 'everyone']);
    expect(standIn.messages('C1')[1]?.botId).toBe('BBOT');

    await post({ replace_original: true, text: 'replaced', blocks: [section('new card')] });
    expect(standIn.message('C1', posted.ts as string)?.blocks).toEqual([section('new card')]);

    const bad = await post({ text: 'x', blocks: [section('y'.repeat(3001))] });
    expect(bad.status).toBe(400);
    expect(standIn.responses()).toHaveLength(3);
    expect((await fetch(`${standIn.origin}/response/unknown`, { method: 'POST', body: '{}' })).status).toBe(
      404,
    );
  });
});

describe('change notifications', () => {
  it('tells listeners what changed until they unsubscribe', async () => {
    const seen: string[] = [];
    const off = standIn.onChange((e) => seen.push(`${e.kind}:${e.channel ?? e.userId ?? ''}`));
    await client.chat.postMessage({ channel: 'C1', text: 'one' });
    off();
    await client.chat.postMessage({ channel: 'C1', text: 'two' });
    expect(seen).toEqual(['message.posted:C1']);
  });
});
