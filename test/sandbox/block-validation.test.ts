import { describe, expect, it } from 'vitest';
import { validateMessageBlocks, validateView } from '../../src/sandbox/block-validation.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const button = (extra: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id: 'go',
  text: plain('Go'),
  ...extra,
});
const actions = (...elements: unknown[]) => [{ type: 'actions', elements }];
const select = (options: unknown[]) => ({
  type: 'input',
  block_id: 'priority',
  label: plain('Priority'),
  element: { type: 'static_select', action_id: 'priority', options },
});
const option = (text: string, value: string) => ({ text: plain(text), value });
const modal = (extra: Record<string, unknown> = {}, blocks: unknown[] = []) => ({
  type: 'modal',
  title: plain('Edit task'),
  submit: plain('Save'),
  blocks,
  ...extra,
});

/** Whether some error names `pointer` (and optionally says `words`). */
function hasError(errors: string[], pointer: string, words = ''): boolean {
  return errors.some((e) => e.endsWith(`[json-pointer:${pointer}]`) && e.includes(words));
}

describe('validateMessageBlocks', () => {
  it('accepts a typical task card', () => {
    const blocks = [
      { type: 'header', text: plain('Add retries to the mailer') },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Priority:* high' },
        fields: [plain('a'), plain('b')],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'rules' }] },
      { type: 'divider' },
      ...actions(
        button({ style: 'primary', value: 'task-1' }),
        button({
          action_id: 'reject',
          style: 'danger',
          confirm: {
            title: plain('Sure?'),
            text: plain('Reject it'),
            confirm: plain('Yes'),
            deny: plain('No'),
          },
        }),
      ),
      { type: 'markdown', text: '**bold**' },
      { type: 'rich_text', elements: [] },
      { type: 'image', image_url: 'https://example.test/a.png', alt_text: 'a' },
    ];
    expect(validateMessageBlocks(blocks, 'fallback')).toEqual([]);
  });

  it('enforces lengths at the documented boundary', () => {
    const ok = [{ type: 'section', fields: Array.from({ length: 10 }, () => plain('f'.repeat(2000))) }];
    expect(validateMessageBlocks(ok)).toEqual([]);
    const tooMany = [{ type: 'section', fields: Array.from({ length: 11 }, () => plain('f')) }];
    expect(hasError(validateMessageBlocks(tooMany), '/blocks/0/fields', 'no more than 10')).toBe(true);
    const tooLong = [{ type: 'section', fields: [plain('f'.repeat(2001))] }];
    expect(hasError(validateMessageBlocks(tooLong), '/blocks/0/fields/0/text', 'less than 2001')).toBe(true);
  });

  it('checks button fields', () => {
    expect(
      hasError(
        validateMessageBlocks(actions(button({ action_id: 'a'.repeat(256) }))),
        '/blocks/0/elements/0/action_id',
      ),
    ).toBe(true);
    expect(
      hasError(
        validateMessageBlocks(actions(button({ value: 'v'.repeat(2001) }))),
        '/blocks/0/elements/0/value',
      ),
    ).toBe(true);
    expect(
      hasError(validateMessageBlocks(actions(button({ url: 'u'.repeat(3001) }))), '/blocks/0/elements/0/url'),
    ).toBe(true);
    expect(
      hasError(
        validateMessageBlocks(actions(button({ text: { type: 'mrkdwn', text: 'x' } }))),
        '/blocks/0/elements/0/text/type',
      ),
    ).toBe(true);
    const badConfirm = button({ confirm: { title: plain('t'), text: plain('x') } });
    expect(
      hasError(
        validateMessageBlocks(actions(badConfirm)),
        '/blocks/0/elements/0/confirm',
        'missing required field: confirm',
      ),
    ).toBe(true);
    const longConfirm = button({
      confirm: { title: plain('t'), text: plain('x'.repeat(301)), confirm: plain('y'), deny: plain('n') },
    });
    expect(
      hasError(validateMessageBlocks(actions(longConfirm)), '/blocks/0/elements/0/confirm/text/text'),
    ).toBe(true);
  });

  it('limits actions to 25 elements and context to 10', () => {
    const many = Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` }));
    expect(hasError(validateMessageBlocks(actions(...many)), '/blocks/0/elements', 'no more than 25')).toBe(
      true,
    );
    const context = [{ type: 'context', elements: Array.from({ length: 11 }, () => plain('c')) }];
    expect(hasError(validateMessageBlocks(context), '/blocks/0/elements', 'no more than 10')).toBe(true);
  });

  it('rejects empty or untyped text objects, unknown blocks and long block_ids', () => {
    expect(
      hasError(validateMessageBlocks([{ type: 'section', text: plain('') }]), '/blocks/0/text/text'),
    ).toBe(true);
    expect(
      hasError(validateMessageBlocks([{ type: 'section', text: { text: 'x' } }]), '/blocks/0/text/type'),
    ).toBe(true);
    expect(
      hasError(validateMessageBlocks([{ type: 'carousel' }]), '/blocks/0/type', 'unsupported type'),
    ).toBe(true);
    expect(
      hasError(validateMessageBlocks([{ type: 'divider', block_id: 'b'.repeat(256) }]), '/blocks/0/block_id'),
    ).toBe(true);
    expect(validateMessageBlocks('not an array')).toEqual([
      '[ERROR] must provide an array [json-pointer:/blocks]',
    ]);
  });

  it('limits message text to 40000 characters and markdown blocks to 12000 in total', () => {
    expect(validateMessageBlocks(undefined, 't'.repeat(40_000))).toEqual([]);
    expect(hasError(validateMessageBlocks(undefined, 't'.repeat(40_001)), '/text')).toBe(true);
    const md = [
      { type: 'markdown', text: 'm'.repeat(6000) },
      { type: 'markdown', text: 'm'.repeat(6001) },
    ];
    expect(hasError(validateMessageBlocks(md), '/blocks/1/text')).toBe(true);
  });
});

describe('validateView', () => {
  it('accepts an edit modal with inputs', () => {
    const view = modal({ callback_id: 'task_edit_modal', private_metadata: '{"taskId":1}' }, [
      {
        type: 'input',
        block_id: 'title',
        label: plain('Title'),
        element: { type: 'plain_text_input', action_id: 'title', max_length: 3000 },
      },
      select([option('High', 'high'), option('Low', 'low')]),
      {
        type: 'input',
        block_id: 'deadline',
        optional: true,
        label: plain('Deadline'),
        element: { type: 'datepicker', action_id: 'deadline', initial_date: '2025-01-31' },
      },
      {
        type: 'input',
        block_id: 'assignee',
        label: plain('Assignee'),
        element: { type: 'users_select', action_id: 'assignee' },
      },
    ]);
    expect(validateView(view)).toEqual([]);
  });

  it('checks the modal frame', () => {
    expect(hasError(validateView(modal({ title: plain('t'.repeat(25)) })), '/view/title/text')).toBe(true);
    expect(hasError(validateView(modal({ submit: plain('s'.repeat(25)) })), '/view/submit/text')).toBe(true);
    expect(hasError(validateView(modal({ close: plain('c'.repeat(25)) })), '/view/close/text')).toBe(true);
    expect(
      hasError(validateView(modal({ private_metadata: 'p'.repeat(3001) })), '/view/private_metadata'),
    ).toBe(true);
    expect(hasError(validateView(modal({ callback_id: 'c'.repeat(256) })), '/view/callback_id')).toBe(true);
    const noSubmit = { type: 'modal', title: plain('T'), blocks: [select([option('a', 'a')])] };
    expect(hasError(validateView(noSubmit), '/view', 'submit is required')).toBe(true);
    expect(validateView({ type: 'dialog' })).toEqual([
      '[ERROR] must be a valid enum value [json-pointer:/view/type]',
    ]);
  });

  it('allows 100 blocks in a view but not 101', () => {
    const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
    expect(validateView({ type: 'home', blocks: blocks(100) })).toEqual([]);
    expect(
      hasError(validateView({ type: 'home', blocks: blocks(101) }), '/view/blocks', 'no more than 100'),
    ).toBe(true);
  });

  it('checks static_select options and input limits', () => {
    const many = Array.from({ length: 101 }, (_, i) => option(`o${i}`, `v${i}`));
    expect(
      hasError(validateView(modal({}, [select(many)])), '/view/blocks/0/element/options', 'no more than 100'),
    ).toBe(true);
    expect(
      hasError(
        validateView(modal({}, [select([option('t'.repeat(76), 'v')])])),
        '/view/blocks/0/element/options/0/text/text',
      ),
    ).toBe(true);
    expect(validateView(modal({}, [select([option('t', 'v'.repeat(150))])]))).toEqual([]);
    expect(
      hasError(
        validateView(modal({}, [select([option('t', 'v'.repeat(151))])])),
        '/view/blocks/0/element/options/0/value',
      ),
    ).toBe(true);
    const label = { ...select([option('a', 'a')]), label: plain('l'.repeat(2001)) };
    expect(hasError(validateView(modal({}, [label])), '/view/blocks/0/label/text')).toBe(true);
    const input = (max_length: number) => ({
      type: 'input',
      label: plain('x'),
      element: { type: 'plain_text_input', action_id: 'x', max_length },
    });
    expect(hasError(validateView(modal({}, [input(3001)])), '/view/blocks/0/element/max_length')).toBe(true);
    expect(
      hasError(
        validateView(modal({}, [{ type: 'input', label: plain('x'), element: button() }])),
        '/view/blocks/0/element/type',
      ),
    ).toBe(true);
  });
});

describe('rich_text blocks', () => {
  const section = (...elements: unknown[]) => ({ type: 'rich_text_section', elements });

  it('accepts what Slack’s composer sends: styled runs, links, mentions, emoji, lists, quotes, code', () => {
    const blocks = [
      {
        type: 'rich_text',
        elements: [
          section(
            { type: 'text', text: 'Ship ', style: { bold: true, italic: false } },
            { type: 'link', url: 'https://example.com', text: 'it' },
            { type: 'user', user_id: 'U1' },
            { type: 'channel', channel_id: 'C1' },
            { type: 'emoji', name: 'rocket', unicode: '1f680' },
            { type: 'broadcast', range: 'here' },
            { type: 'date', timestamp: 1_764_806_400, format: '{date_short}', fallback: 'Dec 4' },
          ),
          {
            type: 'rich_text_list',
            style: 'ordered',
            indent: 1,
            elements: [section({ type: 'text', text: 'a' })],
          },
          { type: 'rich_text_quote', elements: [{ type: 'text', text: 'q' }] },
          { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'npm test' }] },
        ],
      },
    ];
    expect(validateMessageBlocks(blocks, 'x')).toEqual([]);
  });

  it('refuses unknown parts and elements, runs without their required field, and bad lists', () => {
    const errors = validateMessageBlocks([
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_table' },
          section({ type: 'text' }, { type: 'link', text: 'no url' }, { type: 'sparkle' }),
          section({ type: 'text', text: 'x', style: { bold: 'yes', shout: true } }),
          { type: 'rich_text_list', elements: [{ type: 'text', text: 'not a section' }] },
          { type: 'rich_text_list', style: 'dashed', elements: [] },
        ],
      },
    ]);
    const at = '/blocks/0/elements';
    expect(hasError(errors, `${at}/0/type`, 'unsupported type: rich_text_table')).toBe(true);
    expect(hasError(errors, `${at}/1/elements/0`, 'missing required field: text')).toBe(true);
    expect(hasError(errors, `${at}/1/elements/1`, 'missing required field: url')).toBe(true);
    expect(hasError(errors, `${at}/1/elements/2/type`, 'unsupported type: sparkle')).toBe(true);
    expect(hasError(errors, `${at}/2/elements/0/style/bold`, 'boolean')).toBe(true);
    expect(hasError(errors, `${at}/2/elements/0/style`, 'unsupported field: shout')).toBe(true);
    expect(hasError(errors, `${at}/3`, 'missing required field: style')).toBe(true);
    expect(hasError(errors, `${at}/3/elements/0`, 'must be a rich_text_section')).toBe(true);
    expect(hasError(errors, `${at}/4/style`, 'enum')).toBe(true);
  });
});
