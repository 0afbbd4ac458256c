import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { type AnthropicStandIn, startAnthropicStandIn } from '../support/anthropic-standin.js';
import { DATABASE_KINDS } from '../support/database.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';

/**
 * Issue 7, item 8: what a thread (or the model reading it) writes reaches the task cards and the
 * GitHub issue as inert text. Everything arrives as signed Slack requests; Claude, Slack and
 * GitHub are stand-ins over HTTP.
 */

const ANTHROPIC_KEY = 'sk-ant-test-sinks';

function proposed(over: Record<string, unknown>): Record<string, unknown> {
  return {
    title: 'Rotate the deploy keys',
    description: 'The old ones were shared in a ticket.',
    acceptance_criteria: ['Old keys revoked'],
    priority: 'HIGH',
    deadline: null,
    labels: ['security'],
    assignee: null,
    source_messages: [],
    evidence: '',
    ...over,
  };
}

/** The `<url|label>` links of a message's blocks. */
function linksOf(message: { text: string; blocks?: unknown[] } | undefined): string[] {
  return [...textOf(message).matchAll(/<(https?:[^|>]+)\|([^>]*)>/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe.each(DATABASE_KINDS)('thread text reaching cards and issues (%s)', (kind) => {
  let h: Harness;
  let anthropic: AnthropicStandIn;

  beforeAll(async () => {
    anthropic = await startAnthropicStandIn({ apiKey: ANTHROPIC_KEY });
    h = await startHarness({
      kind,
      env: {
        EXTRACT_RATE_PER_USER: '0',
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        ANTHROPIC_BASE_URL: anthropic.url,
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await anthropic.close();
  });
  beforeEach(async () => {
    await h.database.truncate();
  });

  async function extract(tasks: Array<Record<string, unknown>>) {
    const threadTs = h.postThread([
      [USERS.lead.id, 'Keys leaked, see https://evil.example/archives/C0ENG/p1700000000000100'],
      [USERS.alice.id, 'We need to rotate the deploy keys today.'],
    ]);
    const reply = h.slack.thread(CHANNEL, threadTs).find((m) => m.ts !== threadTs);
    anthropic.enqueue({ kind: 'tool_use', input: { tasks } });
    const ack = await h.sender.slashCommand({
      user: USERS.lead.id,
      channel: CHANNEL,
      text: h.slack.permalink(CHANNEL, threadTs),
    });
    expect(ack.status).toBe(200);
    await h.app.idle();
    const cards = h.botMessages(threadTs).slice(1);
    return { threadTs, replyTs: reply!.ts, cards };
  }

  it('links evidence only to a message of the thread itself, never to a URL the text supplied', async () => {
    const threadTs = h.postThread([[USERS.lead.id, 'placeholder']]);
    const own = h.slack.permalink(CHANNEL, threadTs);
    const { cards } = await extract([
      proposed({ title: 'Foreign host', evidence: 'https://evil.example/archives/C0ENG/p1700000000000100' }),
      proposed({ title: 'Phishing page', evidence: 'https://evil.example/login?next=slack' }),
      proposed({ title: 'Wrapped link', evidence: '<https://evil.example/x|source message>' }),
      // Right workspace, but another thread: not the one this discussion read.
      proposed({ title: 'Other thread', evidence: own }),
    ]);
    expect(cards).toHaveLength(4);
    for (const card of cards) {
      expect(linksOf(card).filter((l) => l.endsWith('source message'))).toEqual([]);
      expect(textOf(card)).not.toContain('<https://evil');
    }
    // The text is still there as a quote, for the approver to read.
    expect(textOf(cards[1])).toContain('evil.example/login');
  });

  it('links evidence that points at a message of the thread, rebuilt by the bot', async () => {
    const threadTs = h.postThread([
      [USERS.lead.id, 'Keys leaked'],
      [USERS.alice.id, 'We need to rotate the deploy keys today.'],
    ]);
    const reply = h.slack.thread(CHANNEL, threadTs).find((m) => m.ts !== threadTs)!;
    anthropic.enqueue({
      kind: 'tool_use',
      input: { tasks: [proposed({ evidence: h.slack.permalink(CHANNEL, reply.ts, threadTs) })] },
    });
    await h.sender.slashCommand({
      user: USERS.lead.id,
      channel: CHANNEL,
      text: h.slack.permalink(CHANNEL, threadTs),
    });
    await h.app.idle();
    const [card] = h.botMessages(threadTs).slice(1);
    const links = linksOf(card).filter((l) => l.endsWith('source message'));
    expect(links).toHaveLength(1);
    const url = new URL(links[0]!.split(' ')[0]!);
    expect(url.pathname).toBe(`/archives/${CHANNEL}/p${reply.ts.replace('.', '')}`);
    expect(url.searchParams.get('thread_ts')).toBe(threadTs);
  });

  it('opens an issue in which thread text cannot ping, link, embed an image or raw HTML', async () => {
    const { cards } = await extract([
      proposed({
        title: 'Thank @octocat for #12',
        description: [
          'thanks` @octocat ` and `@hubot`',
          '![beacon](https://evil.example/pixel.png) [the docs](https://evil.example/phish)',
          '<img src="https://evil.example/a.png"> &#64;monalisa',
        ].join('\n'),
        acceptance_criteria: ['[click](https://evil.example) then tell @octocat'],
        evidence: '<details><summary>@octocat</summary>hidden</details>',
      }),
    ]);
    const [card] = cards;
    if (!card) throw new Error('no card');
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    await h.click(USERS.lead.id, card.ts, ACTIONS.execute);

    const [task] = await h.database.db.select().from(schema.tasks);
    expect(task?.status).toBe('done');
    const issue = h.github.issues(REPO).at(-1);
    const body = issue?.body ?? '';
    expect(body).toContain('octocat');
    // GitHub finds mentions in the rendered text, code spans or not: no `@` may directly precede a name.
    expect(body).not.toMatch(/@[A-Za-z0-9]/);
    expect(issue?.title).not.toMatch(/@[A-Za-z0-9]|#\d/);
    expect(body).not.toContain('![');
    expect(body).not.toContain('](https://evil');
    expect(body).not.toMatch(/<(img|details|summary|a )/i);
    expect(body).not.toMatch(/(^|[^;])&#64;/);
  });
});
