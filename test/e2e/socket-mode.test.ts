import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { type Orchestrator, startOrchestrator } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { plainText, SlackRequestSender } from '../../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { SlackAuthError } from '../../src/slack/app.js';
import { ACTIONS, EDIT_FIELDS } from '../../src/slack/ids.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';
import { actionIds, CHANNEL, freePort, REPO, SAMPLE_THREAD, textOf, USERS } from '../support/harness.js';
import { type SmtpStandIn, startSmtpStandIn } from '../support/smtp-standin.js';
import { SocketModeStandIn } from '../support/socket-mode-standin.js';

/**
 * The app with SLACK_APP_TOKEN and no signing secret: it opens a WebSocket to the Socket Mode stand-in
 * (URL from `apps.connections.open` on the Web API stand-in) and gets everything over it, acking each envelope.
 */
describe('Socket Mode end to end (SLACK_APP_TOKEN)', () => {
  let slack: SlackWebApiStandIn;
  let socket: SocketModeStandIn;
  let github: GitHubStandIn;
  let smtp: SmtpStandIn;
  let database: TestDatabase;
  let app: Orchestrator;
  let dataDir: string;
  let port: number;
  let env: Record<string, string>;
  let stopped = false;
  // Builds payloads exactly as the HTTP tests send them; here they travel in Socket Mode envelopes instead.
  let payloads: SlackRequestSender;

  beforeAll(async () => {
    slack = await SlackWebApiStandIn.start();
    for (const user of Object.values(USERS)) slack.addUser(user);
    slack.addChannel({ id: CHANNEL, name: 'eng' });
    socket = await SocketModeStandIn.start({ appId: slack.appId });
    slack.setSocketModeUrl(() => socket.connectionUrl());
    github = await startGitHubStandIn({ repos: [REPO] });
    smtp = await startSmtpStandIn();
    database = await openTestDatabase('pglite');
    dataDir = mkdtempSync(join(tmpdir(), 'orch-socket-'));
    port = await freePort();
    env = {
      SLACK_BOT_TOKEN: slack.token,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      GITHUB_TOKEN: github.token,
      GITHUB_API_URL: github.url,
      GITHUB_REPOS: REPO,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_SECURE: 'false',
      EMAIL_FROM: 'bot@acme.test',
      TARGET_EMAIL: 'team@acme.test',
      SLACK_APPROVERS: USERS.lead.id,
      APPROVAL_PREVENT_SELF: 'false',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    };
    const config = loadConfig(env);
    expect(config.slack.signingSecret).toBeUndefined();
    app = await startOrchestrator(config, createLogger({ level: config.logLevel }), {
      database,
      botId: slack.botId,
      botUserId: slack.botUserId,
      githubThrottle: false,
      githubRetryBaseMs: 10,
      slackRetries: 0,
      runnerBackoffMs: 5,
      jobs: false,
    });
    payloads = new SlackRequestSender({
      appUrl: `${app.url}/slack/events`,
      signingSecret: 'unused-in-socket-mode',
      standIn: slack,
    });
  });

  afterAll(async () => {
    if (!stopped) await app?.stop();
    await database?.close();
    await Promise.all([slack?.close(), socket?.close(), github?.close(), smtp?.close()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await database.truncate();
  });

  afterEach(() => {
    expect(socket.protocolErrors).toEqual([]);
  });

  function postThread(lines: Array<[string, string]>): string {
    const [first, ...rest] = lines;
    if (!first) throw new Error('empty thread');
    const parent = slack.postMessage({ channel: CHANNEL, user: first[0], text: first[1] });
    for (const [user, text] of rest) slack.postMessage({ channel: CHANNEL, user, text, threadTs: parent.ts });
    return parent.ts;
  }

  const botMessages = (threadTs: string) => slack.thread(CHANNEL, threadTs).filter((m) => m.botId);

  async function click(user: string, messageTs: string, actionId: string) {
    const ack = await socket.interactive(
      payloads.blockActionPayload({ user, channel: CHANNEL, messageTs, actionId }),
    );
    await app.idle();
    return ack;
  }

  it('opens the connection with the app-level token and serves /healthz on the configured port', async () => {
    const opened = slack.calls('apps.connections.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.error).toBeUndefined();
    expect(socket.openConnections).toBe(1);

    expect(app.port).toBe(port);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    // No HTTP receiver in Socket Mode: nothing answers Slack requests on the port.
    const events = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
    expect(events.status).toBe(404);
  });

  it('acks /extract, says it is working, posts the cards, and runs Approve and Execute to one issue and one email', async () => {
    const threadTs = postThread(SAMPLE_THREAD);
    const ack = await socket.slashCommand(
      payloads.slashCommandPayload({
        user: USERS.lead.id,
        channel: CHANNEL,
        text: slack.permalink(CHANNEL, threadTs),
      }),
    );
    // Acked at once; the access and rate checks run after the ack, then the note says it is working.
    expect(ack).toBeDefined();
    await app.idle();
    expect(JSON.stringify(slack.responses())).toMatch(/extracting tasks/i);
    const [summary, ...cards] = botMessages(threadTs);
    expect(summary?.text).toMatch(/\d+ tasks? from 7 messages/);
    expect(cards.length).toBeGreaterThanOrEqual(2);
    const card = cards[0]!;
    expect(actionIds(card)).toEqual(expect.arrayContaining([ACTIONS.edit, ACTIONS.approve, ACTIONS.reject]));
    const [task] = await database.db.select().from(schema.tasks).where(eq(schema.tasks.messageTs, card.ts));
    expect(task).toBeDefined();

    // A view submission's answer travels in the ack: an empty title comes back as a field error.
    await click(USERS.alice.id, card.ts, ACTIONS.edit);
    const modal = slack.openedViews().find((v) => v.userId === USERS.alice.id);
    expect(modal).toBeDefined();
    const rejected = await socket.interactive(
      payloads.viewSubmissionPayload({
        user: USERS.alice.id,
        viewId: modal!.id,
        values: { [EDIT_FIELDS.title]: { [EDIT_FIELDS.title]: plainText('') } },
      }),
    );
    expect(rejected.payload).toMatchObject({
      response_action: 'errors',
      errors: { [EDIT_FIELDS.title]: expect.any(String) },
    });
    payloads.applyViewSubmissionAck(modal!.id, rejected.payload);

    const approveAck = await click(USERS.lead.id, card.ts, ACTIONS.approve);
    expect(approveAck.payload).toEqual({});
    expect((await app.store.getTask(task!.id))?.status).toBe('approved');
    expect(actionIds(slack.message(CHANNEL, card.ts))).toContain(ACTIONS.execute);

    const issuesBefore = github.issues(REPO).length;
    const mailsBefore = smtp.messages.length;
    await click(USERS.lead.id, card.ts, ACTIONS.execute);
    const issues = github.issues(REPO).slice(issuesBefore);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe(task!.title);
    const mails = smtp.messages.slice(mailsBefore);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.subject).toContain(task!.title);
    expect(textOf(slack.message(CHANNEL, card.ts))).toContain(issues[0]!.html_url);
    expect((await app.store.getTask(task!.id))?.status).toBe('done');

    // App Home over events_api: published for the lead, listing the run.
    const homeAck = await socket.eventsApi(
      payloads.eventCallback({
        type: 'app_home_opened',
        user: USERS.lead.id,
        channel: 'D0LEAD',
        tab: 'home',
      }),
    );
    expect(homeAck.envelopeId).toBeTruthy();
    await app.idle();
    expect(JSON.stringify(slack.homeView(USERS.lead.id))).toContain(task!.title);
  });

  it('refuses to start with a wrong app-level token, naming SLACK_APP_TOKEN, and frees its port', async () => {
    const otherPort = await freePort();
    const config = loadConfig({ ...env, SLACK_APP_TOKEN: 'xapp-1-wrong', PORT: String(otherPort) });
    const started = startOrchestrator(config, createLogger({ level: config.logLevel }), {
      database,
      botId: slack.botId,
      botUserId: slack.botUserId,
      slackRetries: 0,
      jobs: false,
    });
    await expect(started).rejects.toBeInstanceOf(SlackAuthError);
    await expect(started).rejects.toThrow(/invalid_auth.*SLACK_APP_TOKEN/);
    expect(slack.calls('apps.connections.open').at(-1)?.error).toBe('invalid_auth');
    // The routes server it had opened is closed again: the port can be bound.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(otherPort, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('reconnects when Slack asks it to (disconnect: refresh_requested) and keeps answering', async () => {
    const before = socket.connections;
    const opensBefore = slack.calls('apps.connections.open').length;
    socket.disconnect('refresh_requested');
    await socket.waitForConnections(before + 1);
    expect(slack.calls('apps.connections.open')).toHaveLength(opensBefore + 1);
    const ack = await socket.slashCommand(
      payloads.slashCommandPayload({ user: USERS.alice.id, channel: CHANNEL, text: '' }),
    );
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(ack.payload)).toContain('/extract');
  });

  it('stops cleanly: the WebSocket is closed and the /healthz port released', async () => {
    await app.stop();
    stopped = true;
    expect(socket.openConnections).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
