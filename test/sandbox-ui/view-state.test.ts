import { describe, expect, it } from 'vitest';
import { isMissing, stateValue } from '../../src/sandbox/public/view-state.js';

const opt = (text: string, value: string) => ({ text: { type: 'plain_text', text, emoji: true }, value });

describe('stateValue: what Slack reports in view.state.values', () => {
  it('text inputs: value, or null when empty', () => {
    expect(stateValue({ type: 'plain_text_input' }, 'hello')).toEqual({
      type: 'plain_text_input',
      value: 'hello',
    });
    expect(stateValue({ type: 'plain_text_input' }, '')).toEqual({ type: 'plain_text_input', value: null });
    expect(stateValue({ type: 'email_text_input' }, 'a@b.c')).toEqual({
      type: 'email_text_input',
      value: 'a@b.c',
    });
  });

  it('static_select: the option as shown in the view (text and value), from options or option groups', () => {
    const el = {
      type: 'static_select',
      options: [opt('🟠 High', 'HIGH'), opt('Low', 'LOW')],
    };
    expect(stateValue(el, 'HIGH')).toEqual({
      type: 'static_select',
      selected_option: opt('🟠 High', 'HIGH'),
    });
    expect(stateValue(el, '')).toEqual({ type: 'static_select', selected_option: null });
    const grouped = {
      type: 'static_select',
      option_groups: [{ label: {}, options: [opt('acme/web', 'acme/web')] }],
    };
    expect(stateValue(grouped, 'acme/web')).toEqual({
      type: 'static_select',
      selected_option: opt('acme/web', 'acme/web'),
    });
  });

  it('multi_static_select and checkboxes: every chosen option, in order, unknown values dropped', () => {
    const el = { type: 'multi_static_select', options: [opt('bug', 'bug'), opt('ui', 'ui')] };
    expect(stateValue(el, ['ui', 'bug', 'nope'])).toEqual({
      type: 'multi_static_select',
      selected_options: [opt('ui', 'ui'), opt('bug', 'bug')],
    });
    expect(stateValue({ ...el, type: 'checkboxes' }, [])).toEqual({
      type: 'checkboxes',
      selected_options: [],
    });
  });

  it('users, dates and times', () => {
    expect(stateValue({ type: 'users_select' }, 'U0BOB')).toEqual({
      type: 'users_select',
      selected_user: 'U0BOB',
    });
    expect(stateValue({ type: 'users_select' }, '')).toEqual({ type: 'users_select', selected_user: null });
    expect(stateValue({ type: 'multi_users_select' }, ['U1', 'U2'])).toEqual({
      type: 'multi_users_select',
      selected_users: ['U1', 'U2'],
    });
    expect(stateValue({ type: 'datepicker' }, '2026-03-01')).toEqual({
      type: 'datepicker',
      selected_date: '2026-03-01',
    });
    expect(stateValue({ type: 'datepicker' }, '')).toEqual({ type: 'datepicker', selected_date: null });
    expect(stateValue({ type: 'timepicker' }, '09:30')).toEqual({
      type: 'timepicker',
      selected_time: '09:30',
    });
  });

  it('radio buttons: one option', () => {
    expect(stateValue({ type: 'radio_buttons', options: [opt('A', 'a')] }, 'a')).toEqual({
      type: 'radio_buttons',
      selected_option: opt('A', 'a'),
    });
  });

  it('is undefined for elements the page does not support', () => {
    expect(stateValue({ type: 'file_input' }, 'x')).toBeUndefined();
  });
});

describe('isMissing: Slack’s client-side check of required inputs', () => {
  it('treats empty text, no selection and an empty list as missing, and whitespace as present', () => {
    expect(isMissing({ type: 'plain_text_input' }, '')).toBe(true);
    expect(isMissing({ type: 'plain_text_input' }, null)).toBe(true);
    expect(isMissing({ type: 'multi_static_select' }, [])).toBe(true);
    expect(isMissing({ type: 'plain_text_input' }, '  ')).toBe(false);
    expect(isMissing({ type: 'static_select' }, 'HIGH')).toBe(false);
  });
});
