/** Elements: where each may appear (section accessory, actions, input, context) and their own limits. */

import type { Checker } from './checker.js';
import {
  BLOCK_LIMITS,
  INPUT_ONLY_ELEMENTS,
  INTERACTIVE_ELEMENTS,
  isObject,
  type Json,
  MULTI_SELECT_TYPES,
} from './limits.js';

/** An element at `where`: is its type allowed there, then the type's own fields and limits. */
export function checkElement(
  c: Checker,
  el: unknown,
  at: string,
  where: 'section' | 'actions' | 'input' | 'context',
): void {
  if (!isObject(el)) {
    c.fail('must provide an object', at);
    return;
  }
  const type = el.type;
  if (typeof type !== 'string') {
    c.fail('missing required field: type', at);
    return;
  }
  if (where === 'context') {
    if (type === 'image') imageElement(c, el, at);
    else if (type === 'plain_text' || type === 'mrkdwn') c.textObject(el, at, BLOCK_LIMITS.textObject, false);
    else c.fail(`unsupported type: ${type}`, `${at}/type`);
    return;
  }
  const allowedHere =
    (where === 'section' && (INTERACTIVE_ELEMENTS.has(type) || type === 'image')) ||
    (where === 'actions' && INTERACTIVE_ELEMENTS.has(type)) ||
    (where === 'input' &&
      (INPUT_ONLY_ELEMENTS.has(type) || INTERACTIVE_ELEMENTS.has(type)) &&
      type !== 'button');
  if (!allowedHere) {
    c.fail(`unsupported type: ${type}`, `${at}/type`);
    return;
  }
  if (type === 'image') {
    imageElement(c, el, at);
    return;
  }
  c.string(el, 'action_id', at, { max: BLOCK_LIMITS.actionId });
  c.confirm(el, at);
  c.text(el, 'placeholder', at, { max: BLOCK_LIMITS.placeholder, plainOnly: true });
  switch (type) {
    case 'button':
      c.text(el, 'text', at, { max: BLOCK_LIMITS.buttonText, plainOnly: true, required: true });
      c.string(el, 'value', at, { max: BLOCK_LIMITS.buttonValue });
      c.string(el, 'url', at, { max: BLOCK_LIMITS.url });
      c.string(el, 'accessibility_label', at, { max: BLOCK_LIMITS.buttonText });
      c.enumValue(el, 'style', at, ['primary', 'danger']);
      break;
    case 'overflow':
      c.array(el, 'options', at, { min: 1, max: BLOCK_LIMITS.overflowOptions, required: true })?.forEach(
        (o, i) => {
          c.option(o, `${at}/options/${i}`, true);
        },
      );
      break;
    case 'checkboxes':
      c.options(el, at, BLOCK_LIMITS.checkboxOptions, false, true);
      break;
    case 'radio_buttons':
      c.options(el, at, BLOCK_LIMITS.radioOptions, false, true);
      break;
    case 'static_select':
    case 'multi_static_select':
      staticSelect(c, el, at);
      break;
    case 'datepicker':
      if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date))) {
        c.fail('must match format YYYY-MM-DD', `${at}/initial_date`);
      }
      break;
    case 'plain_text_input':
      lengthBound(c, el, 'min_length', at, 0);
      lengthBound(c, el, 'max_length', at, 1);
      break;
    default:
      break;
  }
  if (MULTI_SELECT_TYPES.has(type) && el.max_selected_items !== undefined) {
    const n = el.max_selected_items;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      c.fail('must be an integer of at least 1', `${at}/max_selected_items`);
    }
  }
}

function lengthBound(c: Checker, el: Json, key: string, at: string, min: number): void {
  const n = el[key];
  if (n === undefined) return;
  if (typeof n !== 'number' || !Number.isInteger(n)) c.fail('must provide an integer', `${at}/${key}`);
  else if (n < min || n > BLOCK_LIMITS.plainTextInputLength) {
    c.fail(`must be between ${min} and ${BLOCK_LIMITS.plainTextInputLength}`, `${at}/${key}`);
  }
}

function staticSelect(c: Checker, el: Json, at: string): void {
  const hasOptions = el.options !== undefined;
  const hasGroups = el.option_groups !== undefined;
  if (hasOptions && hasGroups) c.fail('must provide either options or option_groups, not both', at);
  if (!hasOptions && !hasGroups) {
    c.fail('missing required field: options', at);
    return;
  }
  if (hasOptions) c.options(el, at, BLOCK_LIMITS.selectOptions, true, true);
  const groups = c.array(el, 'option_groups', at, { min: 1, max: BLOCK_LIMITS.optionGroups });
  groups?.forEach((g, i) => {
    const gAt = `${at}/option_groups/${i}`;
    if (!isObject(g)) {
      c.fail('must provide an object', gAt);
      return;
    }
    c.text(g, 'label', gAt, { max: BLOCK_LIMITS.optionGroupLabel, plainOnly: true, required: true });
    c.options(g, gAt, BLOCK_LIMITS.selectOptions, true, true);
  });
  if (el.initial_option !== undefined) c.option(el.initial_option, `${at}/initial_option`, true);
  if (el.initial_options !== undefined) {
    c.array(el, 'initial_options', at, {})?.forEach((o, i) => {
      c.option(o, `${at}/initial_options/${i}`, true);
    });
  }
}

/** An image element, or the image fields of an image block. */
export function imageElement(c: Checker, el: Json, at: string): void {
  if (el.image_url === undefined && el.slack_file === undefined) {
    c.fail('missing required field: image_url', at);
  }
  c.string(el, 'image_url', at, { max: BLOCK_LIMITS.url });
  c.string(el, 'alt_text', at, { max: BLOCK_LIMITS.imageAltText, required: true });
}
