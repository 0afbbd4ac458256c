/**
 * `rich_text` blocks: what Slack's composer sends and apps may post. Slack refuses unknown part or element
 * types and runs without their required field (`text` of a text run, `url` of a link, `user_id` of a
 * mention, …), so the stand-in does too.
 */

import type { Checker } from './checker.js';
import { isObject, type Json } from './limits.js';

const PARTS = ['rich_text_section', 'rich_text_list', 'rich_text_preformatted', 'rich_text_quote'];

/** Each inline element type and the string field it cannot do without. */
const ELEMENTS: Record<string, string | null> = {
  text: 'text',
  link: 'url',
  user: 'user_id',
  channel: 'channel_id',
  usergroup: 'usergroup_id',
  emoji: 'name',
  broadcast: 'range',
  date: 'format',
  color: 'value',
};

const STYLE_KEYS = [
  'bold',
  'italic',
  'strike',
  'code',
  'underline',
  'highlight',
  'client_highlight',
  'unlink',
];

function checkStyle(c: Checker, el: Json, at: string): void {
  if (el.style === undefined) return;
  if (!isObject(el.style)) {
    c.fail('must provide an object', `${at}/style`);
    return;
  }
  for (const [key, value] of Object.entries(el.style)) {
    if (!STYLE_KEYS.includes(key)) c.fail(`unsupported field: ${key}`, `${at}/style`);
    else if (typeof value !== 'boolean') c.fail('must provide a boolean', `${at}/style/${key}`);
  }
}

function checkInline(c: Checker, el: unknown, at: string): void {
  if (!isObject(el)) {
    c.fail('must provide an object', at);
    return;
  }
  const type = el.type;
  if (typeof type !== 'string' || !(type in ELEMENTS)) {
    c.fail(`unsupported type: ${String(type)}`, `${at}/type`);
    return;
  }
  const required = ELEMENTS[type];
  if (required) c.string(el, required, at, { required: true });
  if (type === 'broadcast') c.enumValue(el, 'range', at, ['here', 'channel', 'everyone']);
  if (type === 'date' && typeof el.timestamp !== 'number') c.fail('must provide a number', `${at}/timestamp`);
  checkStyle(c, el, at);
}

function checkInlines(c: Checker, part: Json, at: string): void {
  c.array(part, 'elements', at, { required: true })?.forEach((el, i) => {
    checkInline(c, el, `${at}/elements/${i}`);
  });
}

/** A `rich_text` block's parts: sections, lists of sections, preformatted text and quotes. */
export function checkRichText(c: Checker, block: Json, at: string): void {
  c.array(block, 'elements', at, { required: true })?.forEach((part, i) => {
    const partAt = `${at}/elements/${i}`;
    if (!isObject(part)) {
      c.fail('must provide an object', partAt);
      return;
    }
    if (typeof part.type !== 'string' || !PARTS.includes(part.type)) {
      c.fail(`unsupported type: ${String(part.type)}`, `${partAt}/type`);
      return;
    }
    if (part.type !== 'rich_text_list') {
      checkInlines(c, part, partAt);
      return;
    }
    c.enumValue(part, 'style', partAt, ['bullet', 'ordered']);
    if (part.style === undefined) c.fail('missing required field: style', partAt);
    c.array(part, 'elements', partAt, { required: true })?.forEach((item, j) => {
      const itemAt = `${partAt}/elements/${j}`;
      if (!isObject(item) || item.type !== 'rich_text_section') {
        c.fail('must be a rich_text_section', itemAt);
        return;
      }
      checkInlines(c, item, itemAt);
    });
  });
}
