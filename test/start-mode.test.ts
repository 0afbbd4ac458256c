import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { decideStartMode } from '../src/start-mode.js';

/** Issue 7, item 5: the sandbox (no sign-in) never starts next to production settings. */
describe('decideStartMode', () => {
  it('starts the sandbox when nothing is configured, or with SANDBOX=1 on a bare machine', () => {
    expect(decideStartMode({})).toEqual({ mode: 'sandbox' });
    expect(decideStartMode({ SANDBOX: '1', ANTHROPIC_API_KEY: 'sk-x' })).toEqual({ mode: 'sandbox' });
    expect(decideStartMode({ SANDBOX: 'true', SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({ mode: 'sandbox' });
  });

  it.each([
    ['NODE_ENV', 'production'],
    ['DATABASE_URL', 'postgres://db/prod'],
    ['GITHUB_TOKEN', 'ghp_x'],
    ['SMTP_HOST', 'smtp.acme.test'],
    ['SLACK_SIGNING_SECRET', 'abc'],
  ])('never starts the sandbox with %s set, even with SANDBOX=1', (name, value) => {
    const bare = decideStartMode({ [name]: value });
    expect(bare.mode).toBe('refuse');
    const asked = decideStartMode({ SANDBOX: '1', [name]: value });
    expect(asked.mode).toBe('refuse');
    if (asked.mode === 'refuse' && name !== 'NODE_ENV') expect(asked.message).toContain(name);
    expect(loadConfig({ [name]: value }).sandbox.enabled).toBe(false);
  });

  it('names the missing variable of a partial Slack configuration', () => {
    expect(decideStartMode({ SLACK_BOT_TOKEN: 'xoxb-1' })).toMatchObject({
      mode: 'refuse',
      message: expect.stringMatching(/SLACK_SIGNING_SECRET is not set/),
    });
    expect(decideStartMode({ SLACK_SIGNING_SECRET: 's' })).toMatchObject({
      mode: 'refuse',
      message: expect.stringMatching(/SLACK_BOT_TOKEN is not set/),
    });
    expect(decideStartMode({ SLACK_APP_TOKEN: 'xapp-1' })).toMatchObject({
      message: expect.stringMatching(/SLACK_BOT_TOKEN is not set/),
    });
    expect(decideStartMode({ SANDBOX: '0' })).toMatchObject({ mode: 'refuse' });
  });

  it('chooses Socket Mode or HTTP when Slack is fully configured', () => {
    expect(decideStartMode({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toEqual({
      mode: 'slack',
      transport: 'socket',
    });
    expect(
      decideStartMode({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        DATABASE_URL: 'postgres://x/y',
      }),
    ).toEqual({ mode: 'slack', transport: 'http' });
  });
});

describe('the real entry point refuses to start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orch-start-mode-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Runs src/main.ts with only `env`; resolves with its exit code and everything it wrote. */
  function runMain(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    const root = join(import.meta.dirname, '..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATA_DIR: dataDir,
        PORT: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    return new Promise((resolve) =>
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      }),
    );
  }

  it('with a bot token but no signing secret: exit 1, one line naming SLACK_SIGNING_SECRET', async () => {
    const { code, out } = await runMain({ SLACK_BOT_TOKEN: 'xoxb-test', GITHUB_TOKEN: 'ghp_secret' });
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toContain('SLACK_SIGNING_SECRET is not set');
    expect(out).not.toContain('ghp_secret');
  }, 40_000);

  it('in production without Slack: exit 1 naming SLACK_BOT_TOKEN, no sandbox', async () => {
    const { code, out } = await runMain({ NODE_ENV: 'production', DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toContain('SLACK_BOT_TOKEN is not set');
    expect(out).not.toMatch(/sandbox: open/i);
  }, 40_000);
});
