/**
 * The sandbox's HTTP API over real HTTP, without a browser: the real bot in sandbox mode, its page's
 * JSON API and event stream, and what reaches the bot through /slack/events.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/start-sandbox.js';
import { SANDBOX_PEOPLE } from '../../src/sandbox/workspace.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/harness.js';

type Json = Record<string, unknown>;
const { lena, bob } = SANDBOX_PEOPLE;

let sandbox: Sandbox;
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'orch-sandbox-api-'));
  database = await openTestDatabase('pglite');
  const config = loadConfig({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  sandbox = await startSandbox(config, createLogger({ level: config.logLevel }), {
    start: { database, slackRetries: 0, runnerBackoffMs: 5 },
  });
});

afterAll(async () => {
  await sandbox?.stop();
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function post(endpoint: string, body: Json, headers: Record<string, string> = {}) {
  const res = await fetch(`${sandbox.url}/sandbox/api/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function state(user: string): Promise<Json & { messages: Record<string, Json[]>; ephemerals: Json[] }> {
  const res = await fetch(`${sandbox.url}/sandbox/api/state?user=${user}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Json & { messages: Record<string, Json[]>; ephemerals: Json[] };
}

/** GET with an arbitrary Host header (fetch does not let one set it). */
function getWithHost(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: sandbox.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sandbox mode by configuration', () => {
  it('is on when nothing is configured or with SANDBOX=1, off with a token or SANDBOX=0; listens on 127.0.0.1', () => {
    expect(loadConfig({}).sandbox).toEqual({ enabled: true, host: '127.0.0.1' });
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }).sandbox.enabled).toBe(false);
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SANDBOX: '1' }).sandbox.enabled).toBe(true);
    expect(loadConfig({ SANDBOX: '0' }).sandbox.enabled).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0' }).sandbox.host).toBe('0.0.0.0');
  });

  it('serves the page at / on 127.0.0.1 only, and names its URL', async () => {
    expect(sandbox.pageUrl).toBe(`http://localhost:${sandbox.port}/`);
    expect((sandbox.slack.server()?.address() as AddressInfo | undefined)?.address).toBe('127.0.0.1');
    const page = await fetch(`${sandbox.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('/sandbox/static/app.js');
    for (const file of ['app.js', 'render-blocks.js', 'view-state.js', 'styles.css']) {
      const res = await fetch(`${sandbox.url}/sandbox/static/${file}`);
      expect(res.status, file).toBe(200);
    }
    expect((await fetch(`${sandbox.url}/sandbox/static/render-blocks.d.ts`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/sandbox/static/..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});

describe('the sandbox API', () => {
  it('refuses requests a web page elsewhere could forge', async () => {
    const form = await fetch(`${sandbox.url}/sandbox/api/sample`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=C0ENG',
    });
    expect(form.status).toBe(415);
    const crossOrigin = await post('sample', { channel: 'C0ENG' }, { origin: 'https://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect(await getWithHost('/sandbox/api/state?user=U0LENA', 'evil.example:80')).toBe(403);
    expect(await getWithHost('/sandbox/api/state?user=U0LENA', `localhost:${sandbox.port}`)).toBe(200);
    const messages = (await state(lena.id)).messages.C0ENG ?? [];
    expect(messages).toHaveLength(0);
  });

  it('validates bodies and names what is wrong', async () => {
    const bad = await post('message', { user: lena.id, channel: 'C0ENG' });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toMatch(/^text:/);
    expect((await post('message', { user: 'U0NOBODY', channel: 'C0ENG', text: 'hi' })).status).toBe(400);
    expect((await post('nope', {})).status).toBe(404);
  });

  it('shows a slash command’s answer only to the person who typed it', async () => {
    const res = await post('command', { user: bob.id, channel: 'C0ENG', command: '/extract', text: '' });
    expect(res.json).toEqual({ ok: true });
    const bobs = (await state(bob.id)).ephemerals;
    expect(bobs.map((e) => JSON.stringify(e)).join('\n')).toContain('/extract');
    expect((await state(lena.id)).ephemerals).toHaveLength(0);
    const unknown = await post('command', { user: bob.id, channel: 'C0ENG', command: '/deploy', text: 'x' });
    expect(unknown.json.ok).toBe(false);
    expect(String(unknown.json.error)).toContain('/deploy is not a valid command');
  });

  it('posts typed messages as Slack text and sends app_mention when the bot is mentioned in a thread', async () => {
    const root = await post('message', { user: lena.id, channel: 'C0GENERAL', text: 'Docs are outdated <3' });
    const rootTs = String(root.json.ts);
    await post('message', {
      user: bob.id,
      channel: 'C0GENERAL',
      text: 'TODO: update the API docs for v2',
      threadTs: rootTs,
    });
    const mention = await post('message', {
      user: lena.id,
      channel: 'C0GENERAL',
      text: '@orchestrator extract please',
      threadTs: rootTs,
    });
    expect(mention.json.ok).toBe(true);
    await sandbox.idle();
    const s = await state(lena.id);
    const thread = (s.messages.C0GENERAL ?? []).filter((m) => m.threadTs === rootTs || m.ts === rootTs);
    expect(thread[0]?.text).toBe('Docs are outdated &lt;3');
    expect(thread.some((m) => m.text === `<@${sandbox.standIn.botUserId}> extract please`)).toBe(true);
    const bot = thread.filter((m) => m.botId);
    expect(bot.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(bot)).toMatch(/update the API docs/i);
  });

  it('runs the Extract tasks message shortcut on a message, and refuses shortcuts the app does not have', async () => {
    const root = await post('message', { user: bob.id, channel: 'C0ENG', text: 'Search is slow' });
    const rootTs = String(root.json.ts);
    await post('message', {
      user: bob.id,
      channel: 'C0ENG',
      text: 'TODO: add an index on documents.created_at',
      threadTs: rootTs,
    });
    const res = await post('shortcut', {
      user: bob.id,
      channel: 'C0ENG',
      messageTs: rootTs,
      callbackId: 'extract_tasks',
    });
    expect(res.json).toEqual({ ok: true });
    await sandbox.idle();
    const thread = ((await state(bob.id)).messages.C0ENG ?? []).filter((m) => m.threadTs === rootTs);
    expect(JSON.stringify(thread.filter((m) => m.botId))).toMatch(/index on documents/);
    const unknown = await post('shortcut', {
      user: bob.id,
      channel: 'C0ENG',
      messageTs: rootTs,
      callbackId: 'nope',
    });
    expect(unknown.status).toBe(400);
  });

  it('answers the submitting page with response_action errors (a reload shows none), and closes the modal on success', async () => {
    const sample = await post('sample', { channel: 'C0ENG' });
    await post('command', {
      user: lena.id,
      channel: 'C0ENG',
      command: '/extract',
      text: String(sample.json.permalink),
    });
    await sandbox.idle();
    const card = ((await state(lena.id)).messages.C0ENG ?? []).find(
      (m) => m.botId && Array.isArray(m.blocks) && JSON.stringify(m.blocks).includes('task_edit'),
    );
    expect(card).toBeDefined();
    const click = await post('action', {
      surface: 'message',
      user: lena.id,
      channel: 'C0ENG',
      messageTs: card?.ts,
      actionId: 'task_edit',
    });
    expect(click.json).toEqual({ ok: true });
    await sandbox.idle();
    const modal = (await state(lena.id)).modal as { id: string; errors?: Json } | null;
    expect(modal?.id).toMatch(/^V/);
    expect((await state(bob.id)).modal).toBeNull();

    const labels = Array.from({ length: 11 }, (_, i) => `l${i}`).join(',');
    const values = { labels: { labels: { type: 'plain_text_input', value: labels } } };
    const refused = await post('submit', { user: lena.id, viewId: modal?.id, values });
    expect(refused.json).toEqual({
      ok: true,
      responseAction: 'errors',
      errors: { labels: expect.stringMatching(/Up to 10 labels/) },
    });
    // The modal stays open, but what a reloaded page fetches carries no stale error.
    const reloaded = (await state(lena.id)).modal as Json | null;
    expect(reloaded?.id).toBe(modal?.id);
    expect(reloaded).not.toHaveProperty('errors');
    // Someone else cannot submit (or close) Lena's modal.
    expect((await post('submit', { user: bob.id, viewId: modal?.id, values })).status).toBe(404);

    const ok = await post('submit', {
      user: lena.id,
      viewId: modal?.id,
      values: { labels: { labels: { type: 'plain_text_input', value: 'security' } } },
    });
    expect(ok.json).toEqual({ ok: true });
    await sandbox.idle();
    expect((await state(lena.id)).modal).toBeNull();

    // A click on an element the card no longer has (it changed meanwhile) is stale, not an error to show.
    const stale = await post('action', {
      surface: 'message',
      user: lena.id,
      channel: 'C0ENG',
      messageTs: card?.ts,
      actionId: 'task_gone_meanwhile',
    });
    expect(stale.status).toBe(200);
    expect(stale.json).toMatchObject({ ok: false, stale: true });
    expect((await state(lena.id)).problems).toEqual([]);
  });

  it('closes a modal for its owner only', async () => {
    const trigger = sandbox.standIn.createTriggerId(lena.id);
    const bot = new WebClient(sandbox.standIn.token, { slackApiUrl: sandbox.standIn.url });
    const opened = await bot.views.open({
      trigger_id: trigger,
      view: { type: 'modal', title: { type: 'plain_text', text: 'Hi' }, blocks: [] },
    });
    const viewId = opened.view?.id ?? '';
    expect((await post('close', { user: bob.id, viewId })).status).toBe(404);
    expect(await post('close', { user: lena.id, viewId })).toEqual({ status: 200, json: { ok: true } });
    expect((await state(lena.id)).modal).toBeNull();
  });

  it('lists Web API calls Slack would refuse as problems, with Slack’s explanation', async () => {
    const bot = new WebClient(sandbox.standIn.token, {
      slackApiUrl: sandbox.standIn.url,
      retryConfig: { retries: 0 },
    });
    await expect(
      bot.chat.postMessage({
        channel: 'C0ENG',
        text: 'too many blocks',
        blocks: Array.from({ length: 51 }, () => ({ type: 'divider' as const })),
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    const problems = (await state(lena.id)).problems as Array<{ summary: string; details: string[] }>;
    expect(problems[0]?.summary).toBe('chat.postMessage → invalid_blocks');
    expect(problems[0]?.details.join('\n')).toContain('no more than 50 items allowed');
  });

  it('lists and shows outbox messages, and nothing outside the outbox', async () => {
    const outboxDir = join(dataDir, 'outbox');
    rmSync(outboxDir, { recursive: true, force: true });
    const empty = await fetch(`${sandbox.url}/sandbox/api/outbox`);
    expect(((await empty.json()) as Json).messages).toEqual([]);
    mkdirSync(outboxDir, { recursive: true });
    writeFileSync(
      join(outboxDir, 'm1.eml'),
      'Subject: =?UTF-8?Q?Hello_=E2=9C=85?=\r\nTo: team@x\r\n\r\nbody',
    );
    writeFileSync(join(dataDir, 'secret.eml'), 'Subject: secret\r\n\r\n');
    const list = (await (await fetch(`${sandbox.url}/sandbox/api/outbox`)).json()) as Json;
    expect(list.messages).toEqual([
      expect.objectContaining({ name: 'm1.eml', subject: 'Hello ✅', to: 'team@x' }),
    ]);
    const one = (await (await fetch(`${sandbox.url}/sandbox/api/outbox-message?name=m1.eml`)).json()) as Json;
    expect(one.raw).toContain('body');
    expect(one.email).toMatchObject({
      headers: { subject: 'Hello ✅', to: 'team@x' },
      text: 'body',
      html: null,
    });
    const traversal = await fetch(
      `${sandbox.url}/sandbox/api/outbox-message?name=${encodeURIComponent('../secret.eml')}`,
    );
    expect(traversal.status).toBe(404);
  });

  it('tells connected pages when something changes (server-sent events)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${sandbox.url}/sandbox/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const readUntil = async (pattern: RegExp) => {
      let text = '';
      while (!pattern.test(text)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
      return text;
    };
    const first = await readUntil(/event: change\ndata: \{"version":(\d+)\}/);
    const before = Number(/"version":(\d+)/.exec(first)?.[1]);
    await post('message', { user: bob.id, channel: 'C0ENG', text: 'hello' });
    const next = await readUntil(/event: change\ndata: \{"version":(\d+)\}/);
    expect(Number(/"version":(\d+)/.exec(next)?.[1])).toBeGreaterThan(before);
    controller.abort();
  });
});
