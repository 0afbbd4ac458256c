/** Builders of `view.state.values` entries for tests and the sandbox page: `stateValue.plainText('x')`, … */

type Json = Record<string, unknown>;

export function plainText(value: string | null): Json {
  return { type: 'plain_text_input', value };
}

/** `text` defaults to the option's text in the view when the submission is sent. */
export function staticSelect(value: string | null, text?: string): Json {
  return {
    type: 'static_select',
    selected_option:
      value === null ? null : { text: { type: 'plain_text', text: text ?? value, emoji: true }, value },
  };
}

export function multiStaticSelect(values: string[]): Json {
  return {
    type: 'multi_static_select',
    selected_options: values.map((value) => ({
      text: { type: 'plain_text', text: value, emoji: true },
      value,
    })),
  };
}

/** `date` is YYYY-MM-DD. */
export function datePicker(date: string | null): Json {
  return { type: 'datepicker', selected_date: date };
}

export function usersSelect(user: string | null): Json {
  return { type: 'users_select', selected_user: user };
}

export function multiUsersSelect(users: string[]): Json {
  return { type: 'multi_users_select', selected_users: users };
}

export function checkboxes(values: string[]): Json {
  return {
    type: 'checkboxes',
    selected_options: values.map((value) => ({
      text: { type: 'plain_text', text: value, emoji: true },
      value,
    })),
  };
}

/** The state-value helpers in one object: `stateValue.plainText('x')`. */
export const stateValue = {
  plainText,
  staticSelect,
  multiStaticSelect,
  datePicker,
  usersSelect,
  multiUsersSelect,
  checkboxes,
} as const;
