import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Orchestrator, type StartOptions, startOrchestrator } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type DestinationStream } from '../../src/logger.js';
import { type SentResponse, SlackRequestSender } from '../../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn, type StandInMessage } from '../../src/sandbox/slack-web-api.js';
import { openTestDatabase, type TestDatabase, type TestDatabaseKind } from './database.js';
import { freePort } from './free-port.js';
import { type GitHubStandIn, startGitHubStandIn } from './github-standin.js';
import { type SmtpStandIn, startSmtpStandIn } from './smtp-standin.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const CHANNEL = 'C0ENG';
export const USERS = {
  lead: { id: 'U0LEAD', name: 'lena', realName: 'Lena Lead' },
  alice: { id: 'U0ALICE', name: 'alice', realName: 'Alice Dev' },
  bob: { id: 'U0BOB', name: 'bob', realName: 'Bob Ops' },
  /** A workspace admin: approves when SLACK_APPROVERS is empty. */
  admin: { id: 'U0ADMIN', name: 'ada', realName: 'Ada Admin', isAdmin: true },
} as const;
export const REPO = 'acme/web';
export { freePort };

export interface Harness {
  slack: SlackWebApiStandIn;
  sender: SlackRequestSender;
  github: GitHubStandIn;
  smtp: SmtpStandIn;
  database: TestDatabase;
  app: Orchestrator;
  dataDir: string;
  /** Posts a thread as people would; returns the parent ts. */
  postThread(lines: Array<[userId: string, text: string]>): string;
  /**
   * Posts a thread, runs `/extract <its link>` as `user` and waits for the bot: returns the thread,
   * the slash command's response (the immediate ack) and the bot's cards (the summary excluded).
   */
  extractThread(
    user: string,
    lines: Array<[userId: string, text: string]>,
  ): Promise<{ threadTs: string; ack: SentResponse; cards: StandInMessage[] }>;
  /** A user clicks a button on a message, and the app finishes what the click started. */
  click(user: string, messageTs: string, actionId: string): Promise<void>;
  /** Bot messages in a thread (summary first, then cards). */
  botMessages(threadTs: string): ReturnType<SlackWebApiStandIn['thread']>;
  close(): Promise<void>;
}

/** All text of a message's blocks, flattened, for "the card says X" assertions. */
export function textOf(message: { text: string; blocks?: unknown[] } | undefined): string {
  return JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');
}

/** The action_ids of every interactive element in a message. */
export function actionIds(message: { blocks?: unknown[] } | undefined): string[] {
  return [...JSON.stringify(message?.blocks ?? []).matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1]!);
}

export interface HarnessOptions {
  kind?: TestDatabaseKind;
  approvers?: string[];
  /** false → no GITHUB_TOKEN (dry run). */
  github?: boolean;
  /** false → no SMTP host (outbox). */
  smtp?: boolean;
  /** Logins the SMTP stand-in accepts (else any); see SMTP_USER/SMTP_PASSWORD in `env`. */
  smtpUsers?: Record<string, string>;
  env?: Record<string, string>;
  start?: StartOptions;
  /** Where the app's log lines go (a test that reads them); stdout otherwise. */
  logDestination?: DestinationStream;
}

/** The real app, started in-process, talking to stand-ins for Slack, GitHub and SMTP. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const slack = await SlackWebApiStandIn.start();
  for (const user of Object.values(USERS)) slack.addUser(user);
  slack.addChannel({ id: CHANNEL, name: 'eng' });
  const github = await startGitHubStandIn({ repos: [REPO, 'acme/api'] });
  const smtp = await startSmtpStandIn(options.smtpUsers ? { users: options.smtpUsers } : {});
  const database = await openTestDatabase(options.kind ?? 'pglite');
  const dataDir = mkdtempSync(join(tmpdir(), 'orch-e2e-'));
  const port = await freePort();
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    GITHUB_REPOS: `${REPO},acme/api`,
    ...(options.github === false ? {} : { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url }),
    ...(options.smtp === false
      ? {}
      : { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SECURE: 'false' }),
    EMAIL_FROM: 'bot@acme.test',
    TARGET_EMAIL: 'team@acme.test',
    SLACK_APPROVERS: (options.approvers ?? [USERS.lead.id]).join(','),
    // One person often plays requester and approver here; tests of the rule set it to true.
    APPROVAL_PREVENT_SELF: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const logger = createLogger({ level: config.logLevel }, options.logDestination);
  const app = await startOrchestrator(config, logger, {
    database,
    botId: slack.botId,
    botUserId: slack.botUserId,
    githubThrottle: false,
    githubRetryBaseMs: 10,
    slackRetries: 0,
    runnerBackoffMs: 5,
    ...options.start,
  });
  const sender = new SlackRequestSender({
    appUrl: `${app.url}/slack/events`,
    signingSecret: SIGNING_SECRET,
    standIn: slack,
  });
  const postThread = (lines: Array<[string, string]>): string => {
    const [first, ...rest] = lines;
    if (!first) throw new Error('empty thread');
    const parent = slack.postMessage({ channel: CHANNEL, user: first[0], text: first[1] });
    for (const [user, text] of rest) slack.postMessage({ channel: CHANNEL, user, text, threadTs: parent.ts });
    return parent.ts;
  };
  const botMessages = (threadTs: string) => slack.thread(CHANNEL, threadTs).filter((m) => m.botId);
  return {
    slack,
    sender,
    github,
    smtp,
    database,
    app,
    dataDir,
    postThread,
    async extractThread(user, lines) {
      const threadTs = postThread(lines);
      const ack = await sender.slashCommand({
        user,
        channel: CHANNEL,
        text: slack.permalink(CHANNEL, threadTs),
      });
      await app.idle();
      return { threadTs, ack, cards: botMessages(threadTs).slice(1) };
    },
    async click(user, messageTs, actionId) {
      await sender.blockAction({ user, channel: CHANNEL, messageTs, actionId });
      await app.idle();
    },
    botMessages,
    async close() {
      await app.stop();
      await database.close();
      await Promise.all([slack.close(), github.close(), smtp.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A realistic engineering thread with three tasks in it and some chatter. */
export const SAMPLE_THREAD: Array<[string, string]> = [
  [USERS.lead.id, 'Post-mortem follow-ups for the login outage yesterday. <!channel> please read.'],
  [
    USERS.alice.id,
    'We need to add rate limiting to the login endpoint, 5 attempts per minute per IP. This is urgent.',
  ],
  [USERS.bob.id, 'Agreed. Also the alert fired 20 minutes late.'],
  [USERS.lead.id, `<@${USERS.bob.id}> will fix the alert threshold for the auth error rate by Friday.`],
  [USERS.alice.id, 'lol yes, coffee first'],
  [USERS.lead.id, 'TODO: write a runbook for the auth service outage'],
  [USERS.bob.id, 'Thanks all!'],
];
