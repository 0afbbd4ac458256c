/**
 * The sandbox in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser). The page talks to the real bot through the sandbox API, which sends signed Slack requests
 * into /slack/events; the bot answers through the Slack Web API stand-in; the page shows the result.
 *
 * Screenshots of the final channel and App Home go to docs/ with UPDATE_SCREENSHOTS=1 (else to a
 * temporary folder, so a test run does not touch the work tree).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/start-sandbox.js';
import { SANDBOX_PEOPLE } from '../../src/sandbox/workspace.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const title = hasChromium
  ? 'the sandbox page in Chromium'
  : 'the sandbox page in Chromium — SKIPPED: /usr/bin/chromium is missing (apt-get install chromium; .ci/run does)';

const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1' ? join(process.cwd(), 'docs') : undefined;

describe.skipIf(!hasChromium)(title, () => {
  let sandbox: Sandbox;
  let database: TestDatabase;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let shots: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'orch-sandbox-ui-'));
    shots = screenshotDir ?? mkdtempSync(join(tmpdir(), 'orch-sandbox-shots-'));
    mkdirSync(shots, { recursive: true });
    database = await openTestDatabase('pglite');
    const config = loadConfig({
      SANDBOX: '1',
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    const logger = createLogger({ level: config.logLevel });
    sandbox = await startSandbox(config, logger, {
      start: { database, slackRetries: 0, runnerBackoffMs: 5 },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (!screenshotDir && shots) rmSync(shots, { recursive: true, force: true });
  });

  const thread = () => page.getByTestId('thread');
  const card = (text: string | RegExp): Locator =>
    thread()
      .getByTestId('message')
      .filter({ hasText: text })
      .filter({ has: page.locator('.bk-header') });
  const actAs = async (userId: string) => {
    await page.getByTestId('user-switcher').selectOption(userId);
    await expect.poll(() => page.getByTestId('user-switcher').inputValue()).toBe(userId);
  };

  it('extracts, edits (with a validation error), approves, executes and shows the run, as Slack would', async () => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    await page.goto(sandbox.pageUrl);
    await expect.poll(() => page.getByTestId('user-switcher').inputValue()).toBe(SANDBOX_PEOPLE.lena.id);

    // Load the sample discussion: a thread in #eng; the composer is offered the /extract command.
    await page.getByTestId('load-sample').click();
    const root = page.getByTestId('messages').getByTestId('message').first();
    await expect.poll(() => root.textContent()).toContain('post-mortem');
    const permalink = (await root.getAttribute('data-permalink')) ?? '';
    expect(permalink).toMatch(/^https:\/\/sandbox\.slack\.com\/archives\/C0ENG\/p\d+$/);
    await expect.poll(() => page.getByTestId('composer').inputValue()).toBe(`/extract ${permalink}`);

    // Type /extract with the thread's link, as a person would.
    await page.getByTestId('composer').fill(`/extract ${permalink}`);
    await page.getByTestId('composer').press('Enter');
    await expect.poll(() => page.getByTestId('ephemeral').first().textContent()).toMatch(/extracting tasks/i);
    await expect.poll(() => root.textContent(), { timeout: 15_000 }).toMatch(/\d+ replies/);

    // The cards arrive in the thread, rendered from their Block Kit.
    await root.locator('[data-open-thread]').click();
    const rateLimit = card(/rate limiting to the login endpoint/i);
    await expect.poll(() => rateLimit.count()).toBe(1);
    await expect.poll(() => rateLimit.textContent()).toContain('Proposed');
    expect(await rateLimit.locator('.bk-fields .bk-field').count()).toBeGreaterThanOrEqual(4);
    expect(await rateLimit.locator('button.bk-button.bk-primary', { hasText: 'Approve' }).count()).toBe(1);
    expect(await rateLimit.locator('button.bk-button.bk-danger', { hasText: 'Reject' }).count()).toBe(1);
    expect(await thread().locator('.bk-unsupported').count()).toBe(0);

    // Edit in the modal: an empty title is stopped by the client, too many labels by the bot.
    await rateLimit.locator('button', { hasText: 'Edit' }).click();
    const modal = page.getByTestId('modal');
    await expect.poll(() => modal.locator('.bk-modal-header h2').textContent()).toBe('Edit task');
    await modal.locator('#bk-title').fill('');
    await modal.locator('[data-modal-submit]').click();
    await expect
      .poll(() => modal.locator('[data-block-id="title"] .bk-input-error').textContent())
      .toMatch(/required/i);
    await modal.locator('#bk-title').fill('Rate-limit the login endpoint');
    const tooMany = Array.from({ length: 11 }, (_, i) => `label${i + 1}`).join(', ');
    await modal.locator('#bk-labels').fill(tooMany);
    await modal.locator('#bk-priority').selectOption('HIGH');
    await modal.locator('[data-modal-submit]').click();
    await expect
      .poll(() => modal.locator('[data-block-id="labels"] .bk-input-error').textContent())
      .toMatch(/Up to 10 labels/);
    // The modal stayed open with what was typed (Slack keeps the input).
    expect(await modal.locator('#bk-title').inputValue()).toBe('Rate-limit the login endpoint');
    // A reload shows the modal again, without the error of the earlier submission.
    await page.reload();
    await expect.poll(() => modal.locator('.bk-modal-header h2').textContent()).toBe('Edit task');
    expect(await modal.locator('.bk-input-error').count()).toBe(0);
    await modal.locator('#bk-title').fill('Rate-limit the login endpoint');
    await modal.locator('#bk-priority').selectOption('HIGH');
    await modal.locator('#bk-labels').fill('security, backend');
    await modal.locator('[data-modal-submit]').click();
    await expect.poll(() => modal.isHidden()).toBe(true);
    await root.locator('[data-open-thread]').click(); // the reload closed the thread pane
    const edited = card('Rate-limit the login endpoint');
    await expect.poll(() => edited.count()).toBe(1);
    await expect.poll(() => edited.textContent()).toContain('security');

    // Someone who is not an approver is refused, privately: only they see the refusal.
    await actAs(SANDBOX_PEOPLE.bob.id);
    await edited.locator('button', { hasText: 'Approve' }).click();
    await expect
      .poll(() =>
        page
          .getByTestId('ephemeral')
          .filter({ hasText: /approver/i })
          .count(),
      )
      .toBe(1);
    await actAs(SANDBOX_PEOPLE.lena.id);
    await expect
      .poll(() =>
        page
          .getByTestId('ephemeral')
          .filter({ hasText: /approver/i })
          .count(),
      )
      .toBe(0);
    await expect.poll(() => edited.textContent()).toContain('Proposed');

    // The approver approves, then executes through the button's confirm dialog.
    await edited.locator('button', { hasText: 'Approve' }).click();
    await expect.poll(() => edited.textContent()).toContain('Approved');
    await edited.locator('button', { hasText: 'Execute' }).click();
    const confirm = page.getByTestId('confirm');
    await expect.poll(() => confirm.locator('h2').textContent()).toBe('Execute this task?');
    await confirm.locator('[data-confirm-ok]').click();
    await expect.poll(() => edited.textContent(), { timeout: 20_000 }).toContain('Done');
    expect(await edited.textContent()).toMatch(/Dry run: issue not created/);
    const link = edited.getByTestId('dry-run-link');
    await expect.poll(() => link.textContent()).toContain('Rate-limit the login endpoint');
    await edited.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await saveScreenshot(page, join(shots, 'sandbox-channel.png'));

    // The dry-run issue and the email are viewable from the page.
    await link.locator('a').click();
    await expect
      .poll(() => page.getByTestId('issue').filter({ hasText: 'Rate-limit the login endpoint' }).count())
      .toBe(1);
    await page.getByTestId('nav-outbox').click();
    await page.getByTestId('outbox-item').filter({ hasText: 'Rate-limit the login endpoint' }).click();
    await expect.poll(() => page.getByTestId('mail-raw').textContent()).toMatch(/^Subject:/m);
    // The Outbox shows the email decoded: headers, the text part, and the HTML part in a sandboxed frame.
    const headers = page.getByTestId('mail-headers');
    await expect.poll(() => headers.textContent()).toContain('Rate-limit the login endpoint');
    expect(await headers.textContent()).not.toMatch(/=\?UTF-8\?/i);
    const mailText = (await page.getByTestId('mail-text').textContent()) ?? '';
    expect(mailText).toContain('Rate-limit the login endpoint');
    expect(mailText).not.toMatch(/=\r?\n|=[0-9A-F]{2}/);
    const mailFrame = page.getByTestId('mail-html');
    expect(await mailFrame.getAttribute('sandbox')).toBe('');
    await expect
      .poll(() => page.frameLocator('[data-testid="mail-html"]').locator('body').textContent())
      .toContain('Rate-limit the login endpoint');
    await saveScreenshot(page, join(shots, 'sandbox-outbox.png'));

    // App Home lists the run (published by the bot on app_home_opened).
    await page.getByTestId('nav-home').click();
    await expect
      .poll(() => page.getByTestId('home').textContent())
      .toContain('Rate-limit the login endpoint');
    await saveScreenshot(page, join(shots, 'sandbox-home.png'));
    // Links to workspace messages (here: the extraction's thread) open in the page, not on slack.com.
    await page.getByTestId('home').locator('a', { hasText: 'open thread' }).first().click();
    await expect.poll(() => thread().isVisible()).toBe(true);
    await expect.poll(() => edited.count()).toBe(1);

    // Blocks the bot does not send yet render too: rich_text (what Slack's composer sends) and markdown.
    const bot = new WebClient(sandbox.standIn.token, { slackApiUrl: sandbox.standIn.url });
    await bot.chat.postMessage({
      channel: 'C0ENG',
      text: 'rich text',
      blocks: [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'Release ' },
                { type: 'text', text: 'checklist', style: { bold: true } },
                { type: 'text', text: ' for ' },
                { type: 'user', user_id: SANDBOX_PEOPLE.lena.id },
              ],
            },
            {
              type: 'rich_text_list',
              style: 'bullet',
              elements: [
                { type: 'rich_text_section', elements: [{ type: 'text', text: 'tag the build' }] },
                { type: 'rich_text_section', elements: [{ type: 'text', text: 'announce it' }] },
              ],
            },
          ],
        },
        { type: 'markdown', text: '**Markdown** with a [link](https://example.com)' },
      ],
    });
    await page.locator('#channel-list [data-channel-id="C0ENG"]').click();
    const rich = page.getByTestId('messages').locator('.bk-rich_text').last();
    await expect.poll(() => rich.locator('strong').textContent()).toBe('checklist');
    expect(await rich.locator('.bk-mention').textContent()).toBe('@Lena Lead');
    expect(await rich.locator('ul.bk-rt-list li').allTextContents()).toEqual([
      'tag the build',
      'announce it',
    ]);
    const md = page.getByTestId('messages').locator('.bk-markdown').last();
    expect(await md.locator('strong').textContent()).toBe('Markdown');
    expect(await page.getByTestId('messages').locator('.bk-unsupported').count()).toBe(0);

    // Every Web API call the bot made is one Slack would have accepted, and the page had no errors.
    const problems = page.getByTestId('nav-problems').locator('.count');
    expect((await problems.textContent())?.trim()).toBe('');
    expect(errors).toEqual([]);
  }, 120_000);
});

async function saveScreenshot(page: Page, path: string): Promise<void> {
  // Passing notices would hide part of the picture.
  await page.locator('#toasts .toast').evaluateAll((els) => {
    for (const el of els) el.remove();
  });
  await page.mouse.move(0, 0);
  await page.screenshot({ path });
  expect(statSync(path).size).toBeGreaterThan(10_000);
}
