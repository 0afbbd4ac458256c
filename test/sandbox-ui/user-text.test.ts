import { describe, expect, it } from 'vitest';
import { decodeMimeWords, parseHeaders } from '../../src/sandbox/outbox.js';
import { escapeSlackText, mentions, toSlackText } from '../../src/sandbox/user-text.js';

const people = [
  { id: 'U0LENA', names: ['lena', 'Lena'] },
  { id: 'UBOT', names: ['orchestrator'] },
];
const channels = [{ id: 'C0ENG', name: 'eng' }];

describe('toSlackText: what a Slack client sends for typed text', () => {
  it('escapes &, < and > as Slack does', () => {
    expect(escapeSlackText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(toSlackText('<@U0LENA> is not a mention when typed', people)).toBe(
      '&lt;@U0LENA&gt; is not a mention when typed',
    );
  });

  it('turns @name of a known person into a mention, case-insensitively, keeping trailing punctuation', () => {
    expect(toSlackText('@Orchestrator extract', people)).toBe('<@UBOT> extract');
    expect(toSlackText('thanks @lena.', people)).toBe('thanks <@U0LENA>.');
    expect(toSlackText('email me at a@lena.com or ask @nobody', people)).toBe(
      'email me at a@lena.com or ask @nobody',
    );
  });

  it('links #channel and bare URLs', () => {
    expect(toSlackText('see #eng and https://example.com/x?a=1&b=2.', people, channels)).toBe(
      'see <#C0ENG|eng> and <https://example.com/x?a=1&amp;b=2>.',
    );
    expect(toSlackText('#random stays text', people, channels)).toBe('#random stays text');
  });

  it('detects mentions of a user', () => {
    expect(mentions('hi <@UBOT> extract', 'UBOT')).toBe(true);
    expect(mentions('hi <@UBOT|orchestrator>', 'UBOT')).toBe(true);
    expect(mentions('hi <@UBOTTER>', 'UBOT')).toBe(false);
  });
});

describe('outbox headers', () => {
  it('decodes RFC 2047 words (Q and B) and unfolds headers', () => {
    expect(decodeMimeWords('=?UTF-8?Q?Caf=C3=A9_menu?=')).toBe('Café menu');
    expect(decodeMimeWords('=?UTF-8?B?4pyFIERvbmU=?=')).toBe('✅ Done');
    const headers = parseHeaders(
      'From: bot@x\r\nSubject: =?UTF-8?Q?[Task]_Caf=C3=A9?=\r\n =?UTF-8?Q?_menu?=\r\nTo: team@x\r\n\r\nSubject: not a header',
    );
    expect(headers).toEqual({ from: 'bot@x', subject: '[Task] Café menu', to: 'team@x' });
  });
});
