import { describe, expect, it } from 'vitest';
import { looksLikeSlackLink, parseSlackPermalink } from '../../src/slack/thread-reader.js';

describe('parseSlackPermalink', () => {
  it('reads a top-level message link', () => {
    expect(parseSlackPermalink('https://acme.slack.com/archives/C0123ABC/p1700000000123456')).toEqual({
      channel: 'C0123ABC',
      threadTs: '1700000000.123456',
    });
  });

  it('uses thread_ts of a reply link so the whole thread is read', () => {
    expect(
      parseSlackPermalink(
        '<https://acme.slack.com/archives/C0123ABC/p1700000500000200?thread_ts=1700000000.123456&amp;cid=C0123ABC>',
      ),
    ).toEqual({ channel: 'C0123ABC', threadTs: '1700000000.123456' });
  });

  it('accepts a link with a label and private channels', () => {
    expect(
      parseSlackPermalink('<https://acme.slack.com/archives/G0PRIVATE/p1700000000000001|thread>'),
    ).toEqual({
      channel: 'G0PRIVATE',
      threadTs: '1700000000.000001',
    });
  });

  it('rejects text and malformed links', () => {
    expect(parseSlackPermalink('we need to fix the login')).toBeNull();
    expect(parseSlackPermalink('https://acme.slack.com/archives/C0123ABC/p17')).toBeNull();
    expect(looksLikeSlackLink('https://acme.slack.com/archives/C0123ABC/p17')).toBe(true);
    expect(looksLikeSlackLink('fix https://example.com')).toBe(false);
  });
});
