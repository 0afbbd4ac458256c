import { describe, expect, it } from 'vitest';
import { looksLikeSlackLink, parseSlackPermalink } from '../../src/slack/permalink.js';

describe('parseSlackPermalink', () => {
  it('reads a top-level message link, with its host', () => {
    expect(parseSlackPermalink('https://acme.slack.com/archives/C0123ABC/p1700000000123456')).toEqual({
      host: 'acme.slack.com',
      channel: 'C0123ABC',
      threadTs: '1700000000.123456',
    });
  });

  it('uses thread_ts of a reply link so the whole thread is read', () => {
    expect(
      parseSlackPermalink(
        '<https://acme.slack.com/archives/C0123ABC/p1700000500000200?thread_ts=1700000000.123456&amp;cid=C0123ABC>',
      ),
    ).toEqual({ host: 'acme.slack.com', channel: 'C0123ABC', threadTs: '1700000000.123456' });
  });

  it('accepts a link with a label and private channel ids (the access check decides)', () => {
    expect(
      parseSlackPermalink('<https://acme.slack.com/archives/G0PRIVATE/p1700000000000001|thread>'),
    ).toEqual({ host: 'acme.slack.com', channel: 'G0PRIVATE', threadTs: '1700000000.000001' });
  });

  it('names the host a browser would go to, not the one the text suggests', () => {
    expect(
      parseSlackPermalink('https://acme.slack.com@evil.example/archives/C0123ABC/p1700000000123456')?.host,
    ).toBe('evil.example');
    expect(parseSlackPermalink('https://evil-slack.com/archives/C0123ABC/p1700000000123456')?.host).toBe(
      'evil-slack.com',
    );
    expect(parseSlackPermalink('https://ACME.slack.com/archives/C0123ABC/p1700000000123456')?.host).toBe(
      'acme.slack.com',
    );
  });

  it('rejects text, malformed links, other paths and plain http', () => {
    expect(parseSlackPermalink('we need to fix the login')).toBeNull();
    expect(parseSlackPermalink('https://acme.slack.com/archives/C0123ABC/p17')).toBeNull();
    expect(parseSlackPermalink('https://acme.slack.com/x/archives/C0123ABC/p1700000000123456')).toBeNull();
    expect(parseSlackPermalink('http://acme.slack.com/archives/C0123ABC/p1700000000123456')).toBeNull();
    expect(looksLikeSlackLink('https://acme.slack.com/archives/C0123ABC/p17')).toBe(true);
    expect(looksLikeSlackLink('https://evil.example/archives/C0123ABC/p1700000000123456')).toBe(true);
    expect(looksLikeSlackLink('fix https://example.com')).toBe(false);
  });
});
