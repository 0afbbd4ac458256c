import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  mrkdwn,
  renderBlock,
  renderBlocks,
  renderConfirm,
  renderModal,
} from '../../src/sandbox/public/render-blocks.js';
import { buildEditModal, buildHelpMessage, buildTaskCard } from '../../src/slack/blocks/index.js';
import { makeRun, makeStep, makeTask } from '../blocks/fixtures.js';

const ctx = { users: { U0LENA: 'Lena Lead', U0BOB: 'Bob Ops' }, channels: { C0ENG: 'eng' } };
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const md = (text: string) => ({ type: 'mrkdwn', text });

/** The value of `attr` on the first tag that has it. */
function attr(html: string, name: string): string | undefined {
  const m = new RegExp(`${name}="([^"]*)"`).exec(html);
  return m?.[1];
}

/** Undoes escapeHtml, to read back attribute values. */
function unescapeAttr(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('mrkdwn', () => {
  it('renders bold, italic, strike, inline code and code blocks', () => {
    expect(mrkdwn('*bold* and _italic_ and ~gone~')).toBe(
      '<strong>bold</strong> and <em>italic</em> and <del>gone</del>',
    );
    expect(mrkdwn('run `npm *start*` now')).toBe('run <code>npm *start*</code> now');
    expect(mrkdwn('```\nconst a = 1 < 2;\n```')).toBe('<pre>const a = 1 &lt; 2;\n</pre>');
  });

  it('does not italicise snake_case words nor bold a lone star', () => {
    expect(mrkdwn('set max_attempts_per_ip to 5')).toBe('set max_attempts_per_ip to 5');
    expect(mrkdwn('2 * 3 * 4')).toBe('2 * 3 * 4');
  });

  it('renders links with labels, bare links, and refuses unsafe schemes', () => {
    expect(mrkdwn('see <https://example.com/a?b=1&amp;c=2|the docs>')).toBe(
      'see <a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the docs</a>',
    );
    expect(mrkdwn('<https://example.com>')).toContain('>https://example.com</a>');
    const evil = mrkdwn('<javascript:alert(1)|click>');
    expect(evil).not.toContain('<a');
    expect(evil).toBe('&lt;javascript:alert(1)|click&gt;');
  });

  it('turns user and channel mentions into names, and special mentions into visible badges', () => {
    expect(mrkdwn('ping <@U0LENA> in <#C0ENG>', ctx)).toBe(
      'ping <span class="bk-mention" data-user-id="U0LENA">@Lena Lead</span> in <span class="bk-mention bk-channel">#eng</span>',
    );
    expect(mrkdwn('<@U0NOBODY|nobody>', ctx)).toContain('@nobody');
    expect(mrkdwn('<@U0NOBODY>', ctx)).toContain('@U0NOBODY');
    expect(mrkdwn('<!here> and <!channel>')).toContain(
      '@here</span> and <span class="bk-mention bk-special">@channel',
    );
  });

  it('shows the fallback text of a date', () => {
    expect(mrkdwn('at <!date^1700000000^{date_short_pretty} {time}|2023-11-14 22:13 UTC>')).toBe(
      'at <time class="bk-date" datetime="2023-11-14T22:13:20.000Z">2023-11-14 22:13 UTC</time>',
    );
  });

  it('decodes Slack’s three entities and escapes everything for HTML', () => {
    expect(mrkdwn('a &lt; b &amp;&amp; c &gt; d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(mrkdwn('&amp;lt; stays literal')).toBe('&amp;lt; stays literal');
    const html = mrkdwn('<img src=x onerror=alert(1)> "quoted" \'single\'');
    expect(html).not.toMatch(/<img/);
    expect(html).toContain('&quot;quoted&quot; &#39;single&#39;');
  });

  it('renders quotes, line breaks and emoji shortcodes', () => {
    expect(mrkdwn('intro\n> quoted *line*\nafter')).toBe(
      'intro<blockquote>quoted <strong>line</strong></blockquote>after',
    );
    expect(mrkdwn(':hourglass_flowing_sand: working\nnext')).toBe('⏳ working<br>next');
    expect(mrkdwn(':not_an_emoji_we_know:')).toBe(':not_an_emoji_we_know:');
  });

  it('formats around mentions and links', () => {
    expect(mrkdwn('*<@U0BOB>* approved', ctx)).toBe(
      '<strong><span class="bk-mention" data-user-id="U0BOB">@Bob Ops</span></strong> approved',
    );
  });
});

describe('renderBlock: message blocks', () => {
  it('renders a section with mrkdwn text, fields and a button accessory', () => {
    const html = renderBlock(
      {
        type: 'section',
        block_id: 'sec',
        text: md('*Title*'),
        fields: [md('*Priority*\nHIGH'), plain('Plain <b>field</b>')],
        accessory: { type: 'button', action_id: 'go', text: plain('Go'), value: 'v1' },
      },
      0,
      ctx,
    );
    expect(html).toContain('data-block-id="sec"');
    expect(html).toContain('<strong>Title</strong>');
    expect(html.match(/class="bk-field"/g)).toHaveLength(2);
    expect(html).toContain('<strong>Priority</strong><br>HIGH');
    expect(html).toContain('Plain &lt;b&gt;field&lt;/b&gt;');
    expect(html).toMatch(/<button type="button" class="bk-button" data-bk-action="button"/);
    expect(attr(html, 'data-action-id')).toBe('go');
    expect(attr(html, 'data-value')).toBe('v1');
  });

  it('renders context (text and image), divider and header', () => {
    const html = renderBlocks([
      {
        type: 'context',
        elements: [
          md('_by rules_'),
          { type: 'image', image_url: 'https://example.com/i.png', alt_text: 'icon' },
        ],
      },
      { type: 'divider' },
      { type: 'header', text: plain('🟠 Fix <it>') },
    ]);
    expect(html).toContain('<span class="bk-context-item"><em>by rules</em></span>');
    expect(html).toContain('<img class="bk-context-image" src="https://example.com/i.png" alt="icon"');
    expect(html).toContain('<hr class="bk-divider">');
    expect(html).toContain('<h3 class="bk-header-text">🟠 Fix &lt;it&gt;</h3>');
  });

  it('renders actions: button styles, values, URLs and confirm dialogs the page can read back', () => {
    const confirm = {
      title: plain('Execute this task?'),
      text: plain('It starts the pipeline for "acme/web".'),
      confirm: plain('Execute'),
      deny: plain('Go back'),
      style: 'primary',
    };
    const html = renderBlock(
      {
        type: 'actions',
        block_id: 'act',
        elements: [
          { type: 'button', action_id: 'a1', text: plain('Approve'), style: 'primary', value: 't1' },
          { type: 'button', action_id: 'a2', text: plain('Reject'), style: 'danger', confirm },
          {
            type: 'button',
            action_id: 'a3',
            text: plain('View issue'),
            url: 'https://github.com/a/b/issues/1',
          },
          { type: 'button', action_id: 'a4', text: plain('Bad link'), url: 'javascript:alert(1)' },
        ],
      },
      0,
      ctx,
    );
    const buttons = html.split('<button').slice(1);
    expect(buttons).toHaveLength(4);
    expect(buttons[0]).toContain('class="bk-button bk-primary"');
    expect(buttons[1]).toContain('class="bk-button bk-danger"');
    expect(JSON.parse(unescapeAttr(attr(buttons[1] ?? '', 'data-confirm') ?? '{}'))).toEqual(confirm);
    expect(attr(buttons[2] ?? '', 'data-url')).toBe('https://github.com/a/b/issues/1');
    expect(buttons[3]).not.toContain('data-url');
    expect(attr(buttons[0] ?? '', 'data-block-id')).toBe('act');
  });

  it('renders selects and date pickers in actions as choices that send block_actions', () => {
    const html = renderBlock(
      {
        type: 'actions',
        elements: [
          {
            type: 'static_select',
            action_id: 'pick',
            placeholder: plain('Pick one'),
            options: [
              { text: plain('One'), value: '1' },
              { text: plain('Two'), value: '2' },
            ],
            initial_option: { text: plain('Two'), value: '2' },
          },
          { type: 'users_select', action_id: 'who', initial_user: 'U0BOB' },
          { type: 'datepicker', action_id: 'when', initial_date: '2026-01-31' },
        ],
      },
      0,
      ctx,
    );
    expect(html).toContain(
      '<option value="">Pick one</option><option value="1">One</option><option value="2" selected>Two</option>',
    );
    expect(html).toContain('<option value="U0BOB" selected>Bob Ops</option>');
    expect(html).toMatch(/<input type="date"[^>]*data-action-id="when"[^>]*value="2026-01-31"/);
    // A block without a block_id: the page sends none (Slack would make one up).
    expect(attr(html, 'data-block-id')).toBe('');
  });
});

describe('renderBlock: modal inputs', () => {
  const modal = { ...ctx, surface: 'modal' as const };

  it('renders plain_text_input (single line and multiline) with initial value, limits and placeholder', () => {
    const single = renderBlock(
      {
        type: 'input',
        block_id: 'title',
        label: plain('Title'),
        element: {
          type: 'plain_text_input',
          action_id: 'title',
          max_length: 120,
          initial_value: 'Fix "login"',
          placeholder: plain('A title'),
        },
      },
      0,
      modal,
    );
    expect(single).toContain('<label class="bk-label" for="bk-title">Title</label>');
    expect(single).toMatch(
      /<input type="text" class="bk-text-input" data-bk-input="plain_text_input" data-block-id="title" data-action-id="title" id="bk-title" placeholder="A title" maxlength="120" value="Fix &quot;login&quot;">/,
    );
    const multi = renderBlock(
      {
        type: 'input',
        block_id: 'description',
        optional: true,
        label: plain('Description'),
        hint: plain('Markdown is fine.'),
        element: {
          type: 'plain_text_input',
          action_id: 'description',
          multiline: true,
          initial_value: '</textarea><b>x',
        },
      },
      1,
      modal,
    );
    expect(multi).toContain('Description <span class="bk-optional">(optional)</span>');
    expect(multi).toContain('>&lt;/textarea&gt;&lt;b&gt;x</textarea>');
    expect(multi).toContain('<div class="bk-hint">Markdown is fine.</div>');
    expect(multi).toContain('data-optional');
  });

  it('renders static_select (with option groups), multi-select, datepicker and users_select', () => {
    const html = renderBlocks(
      [
        {
          type: 'input',
          block_id: 'priority',
          label: plain('Priority'),
          element: {
            type: 'static_select',
            action_id: 'priority',
            options: [
              { text: plain(':red_circle: Critical'), value: 'CRITICAL' },
              { text: plain('Low'), value: 'LOW' },
            ],
            initial_option: { text: plain('Low'), value: 'LOW' },
          },
        },
        {
          type: 'input',
          block_id: 'repo',
          label: plain('Repository'),
          element: {
            type: 'static_select',
            action_id: 'repo',
            option_groups: [
              { label: plain('acme'), options: [{ text: plain('acme/web'), value: 'acme/web' }] },
            ],
          },
        },
        {
          type: 'input',
          block_id: 'labels',
          label: plain('Labels'),
          element: {
            type: 'multi_static_select',
            action_id: 'labels',
            options: [
              { text: plain('bug'), value: 'bug' },
              { text: plain('auth'), value: 'auth' },
              { text: plain('ui'), value: 'ui' },
            ],
            initial_options: [
              { text: plain('bug'), value: 'bug' },
              { text: plain('ui'), value: 'ui' },
            ],
          },
        },
        {
          type: 'input',
          block_id: 'deadline',
          label: plain('Deadline'),
          element: { type: 'datepicker', action_id: 'deadline', initial_date: '2026-02-01' },
        },
        {
          type: 'input',
          block_id: 'assignee',
          label: plain('Assignee'),
          element: { type: 'users_select', action_id: 'assignee', initial_user: 'U0LENA' },
        },
      ],
      modal,
    );
    expect(html).toContain(
      '<option value="CRITICAL">🔴 Critical</option><option value="LOW" selected>Low</option>',
    );
    expect(html).toContain('<optgroup label="acme"><option value="acme/web">acme/web</option></optgroup>');
    expect(html).toMatch(/<select multiple class="bk-select bk-multi" data-bk-input="multi_static_select"/);
    expect(html).toContain(
      '<option value="bug" selected>bug</option><option value="auth">auth</option><option value="ui" selected>ui</option>',
    );
    expect(html).toMatch(/<input type="date"[^>]*data-bk-input="datepicker"[^>]*value="2026-02-01">/);
    expect(html).toContain(
      '<option value="U0LENA" selected>Lena Lead</option><option value="U0BOB">Bob Ops</option>',
    );
    expect(html).not.toContain('bk-unsupported');
  });

  it('shows errors from response_action: errors under their fields', () => {
    const block = {
      type: 'input',
      block_id: 'labels',
      label: plain('Labels'),
      element: { type: 'plain_text_input', action_id: 'labels' },
    };
    const html = renderBlock(block, 0, { ...modal, errors: { labels: 'Up to 10 labels <please>' } });
    expect(html).toContain('bk-has-error');
    expect(html).toContain('<div class="bk-input-error" role="alert">Up to 10 labels &lt;please&gt;</div>');
    expect(renderBlock(block, 0, { ...modal, errors: { other: 'x' } })).not.toContain('bk-input-error');
  });
});

describe('unsupported blocks and elements are shown, never dropped', () => {
  it('shows an unknown block type with its JSON, escaped', () => {
    const html = renderBlocks([
      { type: 'section', text: md('before') },
      { type: 'video', title: plain('<script>alert(1)</script>'), video_url: 'https://x' },
      { type: 'section', text: md('after') },
    ]);
    expect(html.indexOf('before')).toBeLessThan(html.indexOf('bk-unsupported'));
    expect(html.indexOf('bk-unsupported')).toBeLessThan(html.indexOf('after'));
    expect(html).toContain('Unsupported block: <code>video</code>');
    expect(html).toContain('&quot;video_url&quot;: &quot;https://x&quot;');
    expect(html).not.toContain('<script>');
  });

  it('shows elements it does not handle in actions, sections, context and inputs', () => {
    const html = renderBlocks(
      [
        { type: 'actions', elements: [{ type: 'workflow_button', action_id: 'w', text: plain('Run') }] },
        { type: 'section', text: md('x'), accessory: { type: 'conversations_select', action_id: 'r' } },
        { type: 'context', elements: [{ type: 'rich_text', elements: [] }] },
        {
          type: 'input',
          block_id: 'f',
          label: plain('File'),
          element: { type: 'file_input', action_id: 'f' },
        },
      ],
      { surface: 'modal' },
    );
    expect(html.match(/class="bk-unsupported"/g)).toHaveLength(4);
    for (const type of ['workflow_button', 'conversations_select', 'rich_text', 'file_input']) {
      expect(html).toContain(`data-unsupported="${type}"`);
    }
  });

  it('shows an input block in a message as unsupported (input blocks belong in modals)', () => {
    const html = renderBlocks(
      [{ type: 'input', label: plain('x'), element: { type: 'plain_text_input', action_id: 'x' } }],
      { surface: 'message' },
    );
    expect(html).toContain('Unsupported block in a message: <code>input</code>');
  });

  it('shows a block that is not even an object', () => {
    expect(renderBlocks(['oops', null])).toMatch(
      /Unsupported block: <code>unknown<\/code>.*Unsupported block/s,
    );
  });
});

describe('modal and confirm dialog', () => {
  it('renders a modal with its title, blocks and buttons', () => {
    const html = renderModal(
      {
        id: 'V123',
        type: 'modal',
        title: plain('Edit task'),
        submit: plain('Save'),
        close: plain('Cancel'),
        blocks: [
          {
            type: 'input',
            block_id: 't',
            label: plain('Title'),
            element: { type: 'plain_text_input', action_id: 't' },
          },
        ],
      },
      ctx,
    );
    expect(html).toContain('data-view-id="V123"');
    expect(html).toContain('<h2>Edit task</h2>');
    expect(html).toContain('data-modal-submit>Save</button>');
    expect(html).toContain('data-modal-close>Cancel</button>');
    expect(html).toContain('data-bk-input="plain_text_input"');
  });

  it('renders a modal without submit as one without a Save button', () => {
    expect(renderModal({ id: 'V1', type: 'modal', title: plain('Info'), blocks: [] })).not.toContain(
      'data-modal-submit',
    );
  });

  it('renders a confirm dialog with its title, text and both buttons', () => {
    const html = renderConfirm({
      title: plain('Reject this task?'),
      text: md('It will *not* run.'),
      confirm: plain('Reject'),
      deny: plain('Go back'),
      style: 'danger',
    });
    expect(html).toContain('<h2>Reject this task?</h2>');
    expect(html).toContain('It will <strong>not</strong> run.');
    expect(html).toContain('data-confirm-deny>Go back</button>');
    expect(html).toContain('class="bk-button bk-danger" data-confirm-ok>Reject</button>');
  });
});

describe('what the bot really sends renders without unsupported parts', () => {
  it('task cards in every status, the edit modal and the help message', () => {
    const run = makeRun(
      [
        makeStep({
          status: 'succeeded',
          output: { dryRun: true, title: 'Fix it', body: 'Body', repo: 'acme/web' },
        }),
        makeStep({ agent: 'email', status: 'failed', error: 'SMTP 550' }),
      ],
      { status: 'failed', error: 'SMTP 550' },
    );
    const statuses = ['proposed', 'approved', 'running', 'done', 'failed', 'rejected', 'cancelled'] as const;
    for (const status of statuses) {
      const card = buildTaskCard(makeTask({ status, run: status === 'proposed' ? null : run }));
      const html = renderBlocks(card.blocks, { ...ctx, surface: 'message' });
      expect(html, status).not.toContain('bk-unsupported');
      expect(html, status).toContain('bk-header-text');
    }
    const modal = buildEditModal({ task: makeTask(), repos: ['acme/web', 'acme/api'], channelId: 'C0ENG' });
    const modalHtml = renderModal({ id: 'V1', ...modal }, ctx);
    expect(modalHtml).not.toContain('bk-unsupported');
    expect(modalHtml.match(/data-bk-input=/g)?.length).toBe(
      modal.blocks.filter((b) => b.type === 'input').length,
    );
    const help = buildHelpMessage();
    expect(renderBlocks(help.blocks, { surface: 'message' })).not.toContain('bk-unsupported');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
  });
});
