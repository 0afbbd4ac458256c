/**
 * What Slack reports in `view.state.values` for an input, given what the person entered: the element's
 * own shape (`value`, `selected_option`, `selected_users`, …), with option texts taken from the view.
 * Pure, so it is unit-tested; the page feeds it the raw values of its form controls.
 */

/** @typedef {Record<string, unknown>} Json */

/** @param {unknown} v @returns {v is Json} */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @param {Json} el */
function options(el) {
  /** @type {Json[]} */
  const out = [];
  if (Array.isArray(el.options)) out.push(...el.options.filter(isObject));
  if (Array.isArray(el.option_groups)) {
    for (const g of el.option_groups)
      if (isObject(g) && Array.isArray(g.options)) out.push(...g.options.filter(isObject));
  }
  return out;
}

/** @param {Json} el @param {string} value */
function option(el, value) {
  const o = options(el).find((x) => String(x.value) === value);
  return o ? { text: o.text, value: o.value } : null;
}

/** @param {string | string[] | null | undefined} raw */
function list(raw) {
  if (Array.isArray(raw)) return raw.filter((v) => v !== '');
  return raw ? [raw] : [];
}

/** @param {string | string[] | null | undefined} raw */
function single(raw) {
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v === undefined || v === null || v === '' ? null : v;
}

/**
 * The state value for `element` (an input block's element) from the raw control value(s), or
 * undefined for an element the page does not support.
 * @param {Json} element @param {string | string[] | null | undefined} raw
 */
export function stateValue(element, raw) {
  const type = String(element.type);
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: single(raw) };
    case 'static_select':
    case 'radio_buttons': {
      const v = single(raw);
      return { type, selected_option: v === null ? null : option(element, v) };
    }
    case 'multi_static_select':
    case 'checkboxes':
      return {
        type,
        selected_options: list(raw)
          .map((v) => option(element, v))
          .filter((o) => o !== null),
      };
    case 'users_select':
      return { type, selected_user: single(raw) };
    case 'multi_users_select':
      return { type, selected_users: list(raw) };
    case 'datepicker':
      return { type, selected_date: single(raw) };
    case 'timepicker':
      return { type, selected_time: single(raw) };
    default:
      return undefined;
  }
}

/**
 * Slack's own check before a submission leaves the client: a required input must not be empty.
 * @param {Json} element @param {string | string[] | null | undefined} raw
 */
export function isMissing(element, raw) {
  return list(raw).length === 0 && element.type !== undefined;
}

/** The label Slack's client shows under an empty required field. */
export const REQUIRED_MESSAGE = 'Please complete this required field.';
