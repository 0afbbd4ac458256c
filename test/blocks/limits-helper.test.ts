// The limit checker must itself catch what Slack would reject, or every other test proves nothing.
import { describe, expect, it } from 'vitest';
import { slackLimitProblems } from './limits-helper.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('slackLimitProblems', () => {
  it('accepts a small valid message', () => {
    expect(slackLimitProblems([section('hello')])).toEqual([]);
  });

  it('reports each kind of excess', () => {
    const blocks = [
      section('x'.repeat(3001)),
      section(''),
      {
        type: 'section',
        fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'y'.repeat(2001) })),
      },
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
      { type: 'header', text: { type: 'mrkdwn', text: 'h' } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'b'.repeat(76) },
            action_id: 'a',
            value: 'v'.repeat(2001),
          },
          { type: 'button', text: { type: 'plain_text', text: 'ok' }, action_id: 'a' },
        ],
      },
    ];
    const problems = slackLimitProblems(blocks).join('\n');
    expect(problems).toContain('blocks[0].text: length 3001 > 3000');
    expect(problems).toContain('blocks[1].text: empty text');
    expect(problems).toContain('blocks[2].fields: 11 fields > 10');
    expect(problems).toContain('blocks[2].fields[0]: length 2001 > 2000');
    expect(problems).toContain('blocks[3].text: length 151 > 150');
    expect(problems).toContain('blocks[4].text: must be plain_text');
    expect(problems).toContain('blocks[5].elements[0].text: length 76 > 75');
    expect(problems).toContain('blocks[5].elements[0].value: length 2001 > 2000');
    expect(problems).toContain('blocks[5]: duplicate action_id in one block');
  });

  it('counts blocks per surface', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(slackLimitProblems(blocks, 'message')).toEqual(['blocks: 51 blocks > 50 for a message']);
    expect(slackLimitProblems(blocks, 'home')).toEqual([]);
  });

  it('checks inputs and selects', () => {
    const problems = slackLimitProblems(
      [
        {
          type: 'input',
          block_id: 'a',
          label: { type: 'plain_text', text: 'A' },
          element: {
            type: 'plain_text_input',
            action_id: 'a',
            max_length: 10,
            initial_value: 'x'.repeat(11),
          },
        },
        {
          type: 'input',
          block_id: 'a',
          label: { type: 'plain_text', text: 'B' },
          element: {
            type: 'static_select',
            action_id: 'b',
            options: [{ text: { type: 'plain_text', text: 'o' }, value: 'v'.repeat(151) }],
            initial_option: { text: { type: 'plain_text', text: 'p' }, value: 'p' },
          },
        },
      ],
      'modal',
    ).join('\n');
    expect(problems).toContain('blocks[0].element.initial_value: length 11 > 10');
    expect(problems).toContain('blocks[1].element.options[0].value: length 151 > 150');
    expect(problems).toContain('blocks[1].element.initial_option: not among options');
    expect(problems).toContain('blocks: duplicate block_id');
  });
});
