import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeEmail } from '../../src/agents/email.js';
import { buildIssueBody, issueMarker, issueTitle } from '../../src/agents/issue-body.js';
import type { AgentTask } from '../../src/agents/types.js';
import { PRIORITIES } from '../../src/domain/task.js';
import { escapeGithubMarkdown, neutralizeGithubMentions, safeMrkdwn } from '../../src/domain/text.js';
import { hostileOrLong, hostileText } from './arbitraries.js';

/**
 * Properties of the text neutralisers, one per sink (issue 7, item 8): whatever a thread writes,
 * no ping, link, image or HTML survives into a GitHub issue, an email or a Slack message.
 */

const RUNS = { numRuns: 400 };

/**
 * The text a reader (and GitHub's mention filter) sees once Markdown is rendered: backslash
 * escapes dropped, entities decoded once. GitHub finds mentions in this text, not in the source.
 */
function rendered(markdown: string): string {
  return markdown
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n) % 0x110000))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(Number.parseInt(n, 16) % 0x110000))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A mention or a cross-reference GitHub would act on: `@` or `#` directly before a name or number. */
const GITHUB_PING = /@[A-Za-z0-9]|#\d/;

const task = fc.record({
  id: fc.uuid(),
  title: hostileOrLong(),
  description: hostileOrLong(),
  acceptanceCriteria: fc.array(hostileText(), { maxLength: 6 }),
  priority: fc.constantFrom(...PRIORITIES),
  labels: fc.array(hostileText(3), { maxLength: 5 }),
  deadline: fc.option(hostileText(3)),
  assignee: fc.option(fc.string()),
  assigneeName: fc.option(hostileText(3)),
  repo: fc.constant('acme/web'),
  threadLink: fc.option(fc.constant('https://acme.slack.com/archives/C01/p1700000000000100')),
  evidence: fc.option(hostileOrLong()),
}) satisfies fc.Arbitrary<AgentTask>;

describe('GitHub Markdown sink', () => {
  it('escapeGithubMarkdown: no mention, reference, link, image, HTML or comment survives, rendered or not', () => {
    fc.assert(
      fc.property(hostileText(), (text) => {
        const out = escapeGithubMarkdown(text);
        expect(out).not.toMatch(GITHUB_PING);
        expect(rendered(out)).not.toMatch(GITHUB_PING);
        expect(out).not.toContain('![');
        expect(out).not.toContain('](');
        expect(out).not.toContain('<');
        expect(out).not.toMatch(/(^|[^\\])`/);
        // Nothing but what the thread wrote: rendering gives the words back (zero-width spaces aside).
        expect(rendered(out).replace(/\u200b/g, '')).toBe(text.replace(/\u200b/g, ''));
      }),
      RUNS,
    );
  });

  it('neutralizeGithubMentions (titles, plain text on GitHub): no mention or reference', () => {
    fc.assert(
      fc.property(hostileText(), (text) => {
        expect(neutralizeGithubMentions(text)).not.toMatch(GITHUB_PING);
      }),
      RUNS,
    );
  });

  it('the issue body: one marker, one link (the thread), no image, HTML or ping', () => {
    fc.assert(
      fc.property(task, (t) => {
        const body = buildIssueBody(t);
        const title = issueTitle(t);
        expect(title.length).toBeLessThanOrEqual(256);
        expect(title).not.toMatch(GITHUB_PING);
        expect(body).not.toMatch(GITHUB_PING);
        expect(rendered(body)).not.toMatch(GITHUB_PING);
        expect(body).not.toContain('![');
        expect(body).not.toMatch(/<(?!!-- ai-orchestrator:task=)/);
        expect(body.split(issueMarker(t.id))).toHaveLength(2);
        expect(body.split('](')).toHaveLength(t.threadLink ? 2 : 1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('email sink', () => {
  const ALLOWED_TAGS = new Set([
    '!doctype',
    'html',
    'body',
    'h2',
    'h3',
    'p',
    'a',
    'br',
    'table',
    'tr',
    'th',
    'td',
    'div',
    'ul',
    'li',
  ]);

  it('the HTML part holds only our own tags and links; thread text is escaped', () => {
    fc.assert(
      fc.property(
        task,
        fc.option(
          fc.record({
            url: fc.constant('https://github.com/acme/web/issues/1'),
            number: fc.constant(1),
            repo: fc.constant('acme/web'),
          }),
        ),
        (t, ticket) => {
          const { html, subject } = composeEmail(t, ticket);
          const tags = [...html.matchAll(/<\/?([a-z0-9!]+)/gi)].map((m) => m[1]!.toLowerCase());
          for (const tag of tags) expect(ALLOWED_TAGS).toContain(tag);
          const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
          const ours = [t.threadLink, ticket?.url].filter(Boolean);
          for (const href of hrefs) expect(ours).toContain(href);
          expect(subject).not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Slack mrkdwn sink', () => {
  it('safeMrkdwn: no broadcast, user, group or channel mention, no link markup', () => {
    fc.assert(
      fc.property(hostileText(), (text) => {
        const out = safeMrkdwn(text, { U0HOSTILE1: 'mallory' });
        expect(out).not.toContain('<');
        expect(out).not.toContain('>');
        expect(out).not.toMatch(/(^|\s)@(channel|here|everyone)\b/);
      }),
      RUNS,
    );
  });
});
