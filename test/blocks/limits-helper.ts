/**
 * Checks Block Kit payloads against Slack's published limits, written out here on purpose rather
 * than imported from the builders, so a wrong constant in the code cannot hide a wrong payload.
 */
import { expect } from 'vitest';

export type Surface = 'message' | 'modal' | 'home';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

class Checker {
  readonly problems: string[] = [];

  fail(where: string, what: string): void {
    this.problems.push(`${where}: ${what}`);
  }

  maxLen(where: string, value: unknown, max: number): void {
    const s = str(value);
    if (s !== undefined && s.length > max) this.fail(where, `length ${s.length} > ${max}`);
  }

  text(where: string, t: unknown, max: number, plainOnly = false): void {
    if (!isObj(t)) {
      this.fail(where, 'text object missing');
      return;
    }
    if (t.type !== 'plain_text' && t.type !== 'mrkdwn') this.fail(where, `bad text type ${String(t.type)}`);
    if (plainOnly && t.type !== 'plain_text') this.fail(where, 'must be plain_text');
    const s = str(t.text);
    if (s === undefined || s.trim().length === 0) this.fail(where, 'empty text');
    this.maxLen(where, s, max);
  }

  confirm(where: string, c: unknown): void {
    if (!isObj(c)) {
      this.fail(where, 'confirm is not an object');
      return;
    }
    if (c.title !== undefined) this.text(`${where}.title`, c.title, 100, true);
    this.text(`${where}.text`, c.text, 300);
    if (c.confirm !== undefined) this.text(`${where}.confirm`, c.confirm, 30, true);
    if (c.deny !== undefined) this.text(`${where}.deny`, c.deny, 30, true);
  }

  options(where: string, options: unknown): Obj[] {
    if (!Array.isArray(options) || options.length === 0) {
      this.fail(where, 'options missing');
      return [];
    }
    if (options.length > 100) this.fail(where, `${options.length} options > 100`);
    const values = new Set<string>();
    options.forEach((o, i) => {
      if (!isObj(o)) {
        this.fail(`${where}[${i}]`, 'not an object');
        return;
      }
      this.text(`${where}[${i}].text`, o.text, 75);
      const v = str(o.value);
      if (!v) this.fail(`${where}[${i}]`, 'value missing');
      this.maxLen(`${where}[${i}].value`, v, 150);
      if (v && values.has(v)) this.fail(`${where}[${i}]`, `duplicate value ${v}`);
      if (v) values.add(v);
    });
    return options.filter(isObj);
  }

  element(where: string, e: unknown): void {
    if (!isObj(e)) {
      this.fail(where, 'element is not an object');
      return;
    }
    this.maxLen(`${where}.action_id`, e.action_id, 255);
    if (e.placeholder !== undefined) this.text(`${where}.placeholder`, e.placeholder, 150, true);
    if (e.confirm !== undefined) this.confirm(`${where}.confirm`, e.confirm);
    switch (e.type) {
      case 'button':
        this.text(`${where}.text`, e.text, 75, true);
        this.maxLen(`${where}.value`, e.value, 2000);
        this.maxLen(`${where}.url`, e.url, 3000);
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') {
          this.fail(where, `bad style ${String(e.style)}`);
        }
        break;
      case 'plain_text_input': {
        const max = typeof e.max_length === 'number' ? e.max_length : 3000;
        if (max > 3000 || max < 1) this.fail(`${where}.max_length`, `${max} not in 1..3000`);
        this.maxLen(`${where}.initial_value`, e.initial_value, max);
        break;
      }
      case 'static_select': {
        const opts = this.options(`${where}.options`, e.options);
        if (e.initial_option !== undefined) {
          const init = isObj(e.initial_option) ? e.initial_option : {};
          if (!opts.some((o) => o.value === init.value))
            this.fail(`${where}.initial_option`, 'not among options');
        }
        break;
      }
      case 'datepicker':
        if (e.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(e.initial_date))) {
          this.fail(`${where}.initial_date`, `not YYYY-MM-DD: ${String(e.initial_date)}`);
        }
        break;
      case 'users_select':
        if (e.initial_user !== undefined && !/^[UW][A-Z0-9]+$/.test(String(e.initial_user))) {
          this.fail(`${where}.initial_user`, `not a user id: ${String(e.initial_user)}`);
        }
        break;
      case 'image':
        break;
      default:
        this.fail(where, `unexpected element type ${String(e.type)}`);
    }
  }

  block(where: string, b: unknown): void {
    if (!isObj(b)) {
      this.fail(where, 'block is not an object');
      return;
    }
    this.maxLen(`${where}.block_id`, b.block_id, 255);
    switch (b.type) {
      case 'section': {
        if (b.text === undefined && b.fields === undefined) this.fail(where, 'section needs text or fields');
        if (b.text !== undefined) this.text(`${where}.text`, b.text, 3000);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length === 0) this.fail(`${where}.fields`, 'empty');
          else {
            if (b.fields.length > 10) this.fail(`${where}.fields`, `${b.fields.length} fields > 10`);
            b.fields.forEach((f, i) => {
              this.text(`${where}.fields[${i}]`, f, 2000);
            });
          }
        }
        if (b.accessory !== undefined) this.element(`${where}.accessory`, b.accessory);
        break;
      }
      case 'header':
        this.text(`${where}.text`, b.text, 150, true);
        break;
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) {
          this.fail(where, 'no elements');
          return;
        }
        if (b.elements.length > 10) this.fail(where, `${b.elements.length} elements > 10`);
        b.elements.forEach((e, i) => {
          if (!(isObj(e) && e.type === 'image')) this.text(`${where}.elements[${i}]`, e, 3000);
        });
        break;
      }
      case 'actions': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) {
          this.fail(where, 'no elements');
          return;
        }
        if (b.elements.length > 25) this.fail(where, `${b.elements.length} elements > 25`);
        const ids = b.elements.map((e) => (isObj(e) ? str(e.action_id) : undefined)).filter(Boolean);
        if (new Set(ids).size !== ids.length) this.fail(where, 'duplicate action_id in one block');
        b.elements.forEach((e, i) => {
          this.element(`${where}.elements[${i}]`, e);
        });
        break;
      }
      case 'input':
        this.text(`${where}.label`, b.label, 2000, true);
        if (b.hint !== undefined) this.text(`${where}.hint`, b.hint, 2000, true);
        this.element(`${where}.element`, b.element);
        break;
      case 'divider':
        break;
      default:
        this.fail(where, `unexpected block type ${String(b.type)}`);
    }
  }

  blocks(blocks: unknown, surface: Surface): void {
    if (!Array.isArray(blocks)) {
      this.fail('blocks', 'not an array');
      return;
    }
    if (blocks.length === 0) this.fail('blocks', 'empty');
    if (blocks.length > MAX_BLOCKS[surface]) {
      this.fail('blocks', `${blocks.length} blocks > ${MAX_BLOCKS[surface]} for a ${surface}`);
    }
    const ids = blocks.map((b) => (isObj(b) ? str(b.block_id) : undefined)).filter(Boolean);
    if (new Set(ids).size !== ids.length) this.fail('blocks', 'duplicate block_id');
    blocks.forEach((b, i) => {
      this.block(`blocks[${i}]`, b);
    });
  }
}

export function slackLimitProblems(blocks: unknown, surface: Surface = 'message'): string[] {
  const c = new Checker();
  c.blocks(blocks, surface);
  return c.problems;
}

export function assertWithinSlackLimits(blocks: unknown, surface: Surface = 'message'): void {
  expect(slackLimitProblems(blocks, surface)).toEqual([]);
}

/** A chat message: blocks plus the fallback `text` (Slack cuts it at 40 000; we expect far less). */
export function assertMessageWithinSlackLimits(message: { text: string; blocks: unknown }): void {
  const c = new Checker();
  c.blocks(message.blocks, 'message');
  if (message.text.trim().length === 0) c.fail('text', 'empty fallback text');
  c.maxLen('text', message.text, 4000);
  expect(c.problems).toEqual([]);
}

export function assertViewWithinSlackLimits(view: unknown): void {
  const c = new Checker();
  if (!isObj(view)) throw new Error('view is not an object');
  const surface: Surface = view.type === 'home' ? 'home' : 'modal';
  if (view.type !== 'home' && view.type !== 'modal') c.fail('type', `bad view type ${String(view.type)}`);
  if (surface === 'modal') {
    c.text('title', view.title, 24, true);
    if (view.submit !== undefined) c.text('submit', view.submit, 24, true);
    if (view.close !== undefined) c.text('close', view.close, 24, true);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) c.fail('submit', 'required when the modal has inputs');
  }
  c.maxLen('private_metadata', view.private_metadata, 3000);
  c.maxLen('callback_id', view.callback_id, 255);
  c.blocks(view.blocks, surface);
  expect(c.problems).toEqual([]);
}

/** Every button in the blocks, flattened. */
export function buttonsOf(blocks: readonly unknown[]): Obj[] {
  return blocks.flatMap((b) =>
    isObj(b) && b.type === 'actions' && Array.isArray(b.elements)
      ? b.elements.filter((e): e is Obj => isObj(e) && e.type === 'button')
      : isObj(b) && isObj(b.accessory) && b.accessory.type === 'button'
        ? [b.accessory]
        : [],
  );
}

/** All text the blocks would show, one string per text object. */
export function textsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (!isObj(value)) return [];
  const own =
    (value.type === 'mrkdwn' || value.type === 'plain_text') && typeof value.text === 'string'
      ? [value.text]
      : [];
  return [
    ...own,
    ...Object.entries(value).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' ? [] : textsOf(v))),
  ];
}
