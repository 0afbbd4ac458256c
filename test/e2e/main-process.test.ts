import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackRequestSender } from '../../src/sandbox/slack-requests.js';
import { SlackWebApiStandIn } from '../../src/sandbox/slack-web-api.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { startAnthropicStandIn } from '../support/anthropic-standin.js';
import { standInEnv, startChildBot } from '../support/child-bot.js';
import { openTestDatabase } from '../support/database.js';
import { startGitHubStandIn } from '../support/github-standin.js';
import { CHANNEL, freePort, REPO, SIGNING_SECRET, USERS } from '../support/harness.js';
import { startSmtpStandIn } from '../support/smtp-standin.js';

/**
 * The real entry point (src/main.ts) in its own process, as an operator runs it: what it prints
 * when it cannot start, that everything it prints is a pino line, and that it stays up when
 * GitHub refuses every call.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

/** Runs main.ts to its end; resolves with its exit code and output. */
function runMain(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(
  what: string,
  check: () => boolean,
  output: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Lines that are not pino JSON: what would reach an operator's console raw. */
function nonJsonLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
}

describe('src/main.ts as a process', () => {
  it('an unreachable database: exit 1 with one line naming the server and the cause, not the password', async () => {
    const port = await closedPort();
    const { code, stderr } = await runMain({
      SLACK_BOT_TOKEN: 'xoxb-1-test',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      DATABASE_URL: `postgres://orchestrator:pw-do-not-show@127.0.0.1:${port}/orchestrator`,
      LOG_LEVEL: 'silent',
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`PostgreSQL at 127.0.0.1:${port}/orchestrator`);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(stderr).not.toContain('pw-do-not-show');
  });

  it('logs only through pino (a retired model, the SDK’s console warning), and survives GitHub refusing every call', async () => {
    const slack = await SlackWebApiStandIn.start();
    for (const user of Object.values(USERS)) slack.addUser(user);
    slack.addChannel({ id: CHANNEL, name: 'eng' });
    const github = await startGitHubStandIn({ repos: [REPO] });
    const smtp = await startSmtpStandIn();
    const anthropic = await startAnthropicStandIn({ apiKey: 'sk-ant-main-test' });
    const dataDir = mkdtempSync(join(tmpdir(), 'orch-main-'));
    cleanup.push(
      () => slack.close(),
      () => github.close(),
      () => smtp.close(),
      () => anthropic.close(),
      async () => rmSync(dataDir, { recursive: true, force: true }),
    );
    // PostgreSQL when the suite has one: a new PGlite folder costs the child several seconds.
    const database = process.env.TEST_DATABASE_URL ? await openTestDatabase('postgres') : undefined;
    if (database) cleanup.push(() => database.close());
    const port = await freePort();
    const bot = await startChildBot(
      {
        ...standInEnv({
          slack,
          github,
          smtpPort: smtp.port,
          signingSecret: SIGNING_SECRET,
          repo: REPO,
          dataDir,
          databaseUrl: database?.url,
        }),
        SLACK_APPROVERS: USERS.lead.id,
        APPROVAL_PREVENT_SELF: 'false',
        ANTHROPIC_API_KEY: anthropic.apiKey,
        ANTHROPIC_BASE_URL: anthropic.url,
        // Past its end of life (2026-11-30 in the installed SDK's table), yet answered by the stand-in.
        ANTHROPIC_MODEL: 'claude-sonnet-4-5',
        RUNNER_MAX_ATTEMPTS: '1',
      },
      port,
      120_000,
    );
    cleanup.push(() => bot.kill('SIGKILL'));
    const wait = (what: string, check: () => boolean) => until(what, check, bot.output);
    const sender = new SlackRequestSender({
      appUrl: `${bot.url}/slack/events`,
      signingSecret: SIGNING_SECRET,
      standIn: slack,
    });

    anthropic.enqueue({
      kind: 'tool_use',
      input: {
        tasks: [
          {
            title: 'Rotate the staging certificate',
            description: 'It expires next week.',
            acceptance_criteria: ['The new certificate is served'],
            priority: 'HIGH',
            deadline: null,
            labels: ['infra'],
            assignee: null,
            evidence: 'M1',
          },
        ],
      },
    });
    const parent = slack.postMessage({
      channel: CHANNEL,
      user: USERS.alice.id,
      text: 'We need to rotate the staging certificate, it expires next week.',
    });
    await sender.slashCommand({
      user: USERS.lead.id,
      channel: CHANNEL,
      text: slack.permalink(CHANNEL, parent.ts),
    });
    await wait('the task card', () => slack.thread(CHANNEL, parent.ts).filter((m) => m.botId).length >= 2);
    const card = slack.thread(CHANNEL, parent.ts).filter((m) => m.botId)[1]!;
    await sender.blockAction({
      user: USERS.lead.id,
      channel: CHANNEL,
      messageTs: card.ts,
      actionId: ACTIONS.approve,
    });
    await wait('the approved card', () =>
      JSON.stringify(slack.message(CHANNEL, card.ts)?.blocks).includes(ACTIONS.execute),
    );

    // A revoked token: every GitHub endpoint answers 401.
    github.failNext('*', 401, { times: 1000 });
    await sender.blockAction({
      user: USERS.lead.id,
      channel: CHANNEL,
      messageTs: card.ts,
      actionId: ACTIONS.execute,
    });
    await wait('the failure on the card', () =>
      JSON.stringify(slack.message(CHANNEL, card.ts)?.blocks).includes(ACTIONS.retry),
    );
    expect(JSON.stringify(slack.message(CHANNEL, card.ts)?.blocks)).toContain(
      "GitHub refused the bot's credentials (401)",
    );
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

    const output = bot.output();
    expect(nonJsonLines(output)).toEqual([]);
    const logged = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; source?: string });
    // At start-up, as an error: the model is past its end of life.
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: expect.stringMatching(/claude-sonnet-4-5 reached its end of life/),
      }),
    );
    // The SDK's own notice, printed with console.warn on each call, arrived as a pino line.
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 40, source: 'console', msg: expect.stringMatching(/deprecated/) }),
    );

    expect(await bot.kill('SIGTERM')).toBe(0);
  }, 180_000);
});
