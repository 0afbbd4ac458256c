/** rich_text, markdown and checkbox blocks as the sandbox page renders them (they were "unsupported" before). */
import { describe, expect, it } from 'vitest';
import { renderBlock, renderBlocks } from '../../src/sandbox/public/render-blocks.js';

const ctx = { users: { U0LENA: 'Lena Lead' }, channels: { C0ENG: 'eng' }, surface: 'message' as const };
const text = (t: string, style?: Record<string, boolean>) => ({
  type: 'text',
  text: t,
  ...(style ? { style } : {}),
});
const section = (...elements: unknown[]) => ({ type: 'rich_text_section', elements });

describe('rich_text blocks', () => {
  it('renders styled runs, mentions, links, emoji and dates in a section', () => {
    const html = renderBlock(
      {
        type: 'rich_text',
        block_id: 'rt',
        elements: [
          section(
            text('Hi '),
            { type: 'user', user_id: 'U0LENA' },
            text(', see '),
            { type: 'link', url: 'https://example.com/a?b=1&c=2', text: 'the doc' },
            text(' in '),
            { type: 'channel', channel_id: 'C0ENG' },
            text(' — '),
            text('bold', { bold: true }),
            text(' '),
            text('it', { italic: true }),
            text(' '),
            text('gone', { strike: true }),
            text(' '),
            text('npm test', { code: true }),
            text(' '),
            { type: 'emoji', name: 'white_check_mark', unicode: '2705' },
            { type: 'emoji', name: 'rocket' },
            text(' by '),
            { type: 'date', timestamp: 1_764_806_400, format: '{date_short}', fallback: 'Dec 4' },
          ),
        ],
      },
      0,
      ctx,
    );
    expect(html).not.toContain('bk-unsupported');
    expect(html).toContain('<span class="bk-mention" data-user-id="U0LENA">@Lena Lead</span>');
    expect(html).toContain(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the doc</a>',
    );
    expect(html).toContain('#eng');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<del>gone</del>');
    expect(html).toContain('<code>npm test</code>');
    expect(html).toContain('✅🚀');
    expect(html).toContain('<time class="bk-date" datetime="2025-12-04T00:00:00.000Z">Dec 4</time>');
  });

  it('renders bullet and ordered lists, quotes and preformatted text', () => {
    const html = renderBlock(
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_list', style: 'bullet', elements: [section(text('one')), section(text('two'))] },
          {
            type: 'rich_text_list',
            style: 'ordered',
            offset: 2,
            indent: 1,
            elements: [section(text('three'))],
          },
          { type: 'rich_text_quote', elements: [text('quoted')] },
          { type: 'rich_text_preformatted', elements: [text('a < b\nc')] },
        ],
      },
      0,
      ctx,
    );
    expect(html).toContain('<ul class="bk-rt-list bk-rt-indent-0"><li>one</li><li>two</li></ul>');
    expect(html).toContain('<ol class="bk-rt-list bk-rt-indent-1" start="3"><li>three</li></ol>');
    expect(html).toContain('<blockquote class="bk-rt-quote">quoted</blockquote>');
    expect(html).toContain('<pre class="bk-rt-pre">a &lt; b<br>c</pre>');
  });

  it('escapes every text and refuses script links; unknown parts stay visible', () => {
    const html = renderBlock(
      {
        type: 'rich_text',
        elements: [
          section(
            text('<img src=x onerror=alert(1)>'),
            { type: 'link', url: 'javascript:alert(1)', text: 'click' },
            { type: 'user', user_id: 'U"><script>' },
          ),
          { type: 'rich_text_table', rows: [] },
        ],
      },
      0,
      ctx,
    );
    expect(html).not.toMatch(/<img|<script|href="javascript/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('click');
    expect(html).toContain('data-unsupported="rich_text_table"');
  });
});

describe('markdown blocks', () => {
  it('renders headings, emphasis, code, links, lists, task lists, quotes and fences', () => {
    const html = renderBlock(
      {
        type: 'markdown',
        text: [
          '## Acceptance criteria',
          '',
          'Some **bold**, *italic*, ~~old~~ and `code` with [a link](https://example.com).',
          '',
          '- [ ] export works',
          '- [x] tests pass',
          '',
          '1. first',
          '2. second',
          '',
          '> quoted',
          '',
          '```',
          '<b>not bold</b>',
          '```',
        ].join('\n'),
      },
      0,
      ctx,
    );
    expect(html).not.toContain('bk-unsupported');
    expect(html).toContain('<h4 class="bk-md-heading">Acceptance criteria</h4>');
    expect(html).toContain(
      '<p>Some <strong>bold</strong>, <em>italic</em>, <del>old</del> and <code>code</code> with <a href="https://example.com" target="_blank" rel="noopener noreferrer">a link</a>.</p>',
    );
    expect(html).toContain('<li class="bk-md-task"><input type="checkbox" disabled> export works</li>');
    expect(html).toContain('<input type="checkbox" disabled checked> tests pass');
    expect(html).toContain('<ol><li>first</li><li>second</li></ol>');
    expect(html).toContain('<blockquote>quoted</blockquote>');
    expect(html).toContain('<pre>&lt;b&gt;not bold&lt;/b&gt;</pre>');
  });

  it('shows raw HTML and script links as text', () => {
    const html = renderBlock({ type: 'markdown', text: '<script>x</script> [bad](javascript:alert(1))' }, 0);
    expect(html).not.toMatch(/<script|href="javascript/);
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});

describe('checkboxes and radio buttons in messages and Home', () => {
  it('renders each option with its ticked state and the attributes a click sends', () => {
    const html = renderBlocks(
      [
        {
          type: 'actions',
          block_id: 'criteria',
          elements: [
            {
              type: 'checkboxes',
              action_id: 'tick',
              options: [
                { text: { type: 'mrkdwn', text: '*Export* works' }, value: 'c1' },
                {
                  text: { type: 'plain_text', text: 'Tests pass' },
                  value: 'c2',
                  description: { type: 'plain_text', text: 'CI is green' },
                },
              ],
              initial_options: [{ text: { type: 'plain_text', text: 'Tests pass' }, value: 'c2' }],
            },
          ],
        },
        {
          type: 'section',
          block_id: 'pick',
          text: { type: 'mrkdwn', text: 'Priority' },
          accessory: {
            type: 'radio_buttons',
            action_id: 'prio',
            options: [
              { text: { type: 'plain_text', text: 'High' }, value: 'HIGH' },
              { text: { type: 'plain_text', text: 'Low' }, value: 'LOW' },
            ],
          },
        },
      ],
      ctx,
    );
    expect(html).not.toContain('bk-unsupported');
    expect(html).toContain(
      '<div class="bk-choices" data-bk-action="checkboxes" data-block-id="criteria" data-action-id="tick">',
    );
    expect(html).toContain(
      '<input type="checkbox" name="bk-criteria-tick" value="c1"> <span><strong>Export</strong> works</span>',
    );
    expect(html).toContain('<input type="checkbox" name="bk-criteria-tick" value="c2" checked>');
    expect(html).toContain('<span class="bk-choice-desc">CI is green</span>');
    expect(html).toContain('data-bk-action="radio_buttons" data-block-id="pick" data-action-id="prio"');
    expect(html.match(/type="radio"/g)).toHaveLength(2);
  });
});
