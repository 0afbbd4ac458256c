/**
 * The validation primitives: an error list in Slack's wording (`[ERROR] … [json-pointer:…]`) and checks of
 * strings, arrays, text objects, enums, confirm dialogs and options that the block and element checks share.
 */

import { BLOCK_LIMITS, isObject, type Json, type Surface } from './limits.js';

export class Checker {
  readonly errors: string[] = [];
  /** Characters of all markdown blocks so far (Slack caps the total per payload). */
  markdownChars = 0;

  constructor(readonly surface: Surface) {}

  fail(message: string, pointer: string): void {
    this.errors.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }

  /** Checks a string field; returns it when it is a string. */
  string(
    parent: Json,
    key: string,
    pointer: string,
    opts: { max?: number; required?: boolean; min?: number } = {},
  ): string | undefined {
    const value = parent[key];
    const at = `${pointer}/${key}`;
    if (value === undefined || value === null) {
      if (opts.required) this.fail(`missing required field: ${key}`, pointer);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail('must provide a string', at);
      return undefined;
    }
    const min = opts.min ?? (opts.required ? 1 : 0);
    if (value.length < min) this.fail(`must be more than ${min - 1} characters`, at);
    if (opts.max !== undefined && value.length > opts.max) {
      this.fail(`must be less than ${opts.max + 1} characters`, at);
    }
    return value;
  }

  array(
    parent: Json,
    key: string,
    pointer: string,
    opts: { max?: number; min?: number; required?: boolean },
  ) {
    const value = parent[key];
    const at = `${pointer}/${key}`;
    if (value === undefined || value === null) {
      if (opts.required) this.fail(`missing required field: ${key}`, pointer);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.fail('must provide an array', at);
      return undefined;
    }
    if (opts.min !== undefined && value.length < opts.min) {
      this.fail(`must provide at least ${opts.min} items`, at);
    }
    if (opts.max !== undefined && value.length > opts.max)
      this.fail(`no more than ${opts.max} items allowed`, at);
    return value as unknown[];
  }

  /** A text composition object: plain_text or mrkdwn, 1..max characters. */
  text(
    parent: Json,
    key: string,
    pointer: string,
    opts: { max: number; plainOnly?: boolean; required?: boolean },
  ): void {
    const value = parent[key];
    const at = `${pointer}/${key}`;
    if (value === undefined || value === null) {
      if (opts.required) this.fail(`missing required field: ${key}`, pointer);
      return;
    }
    this.textObject(value, at, opts.max, opts.plainOnly ?? false);
  }

  textObject(value: unknown, at: string, max: number, plainOnly: boolean): void {
    if (!isObject(value)) {
      this.fail('must provide an object', at);
      return;
    }
    const type = value.type;
    if (type !== 'plain_text' && type !== 'mrkdwn') {
      this.fail('must be a valid enum value', `${at}/type`);
    } else if (plainOnly && type !== 'plain_text') {
      this.fail('must be plain_text', `${at}/type`);
    }
    if (type === 'mrkdwn' && value.emoji !== undefined) this.fail('emoji is only usable with plain_text', at);
    this.string(value, 'text', at, { required: true, max: Math.min(max, BLOCK_LIMITS.textObject) });
  }

  enumValue(parent: Json, key: string, pointer: string, allowed: readonly string[]): void {
    const value = parent[key];
    if (value === undefined) return;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.fail('must be a valid enum value', `${pointer}/${key}`);
    }
  }

  confirm(parent: Json, pointer: string): void {
    const confirm = parent.confirm;
    if (confirm === undefined) return;
    const at = `${pointer}/confirm`;
    if (!isObject(confirm)) {
      this.fail('must provide an object', at);
      return;
    }
    this.text(confirm, 'title', at, { max: BLOCK_LIMITS.confirmTitle, plainOnly: true, required: true });
    this.text(confirm, 'text', at, { max: BLOCK_LIMITS.confirmText, required: true });
    this.text(confirm, 'confirm', at, { max: BLOCK_LIMITS.confirmButton, plainOnly: true, required: true });
    this.text(confirm, 'deny', at, { max: BLOCK_LIMITS.confirmButton, plainOnly: true, required: true });
    this.enumValue(confirm, 'style', at, ['primary', 'danger']);
  }

  option(value: unknown, at: string, plainOnly: boolean): void {
    if (!isObject(value)) {
      this.fail('must provide an object', at);
      return;
    }
    this.text(value, 'text', at, { max: BLOCK_LIMITS.optionText, plainOnly, required: true });
    this.string(value, 'value', at, { max: BLOCK_LIMITS.optionValue, required: true });
    this.text(value, 'description', at, { max: BLOCK_LIMITS.optionDescription, plainOnly });
    this.string(value, 'url', at, { max: BLOCK_LIMITS.url });
  }

  options(el: Json, pointer: string, max: number, plainOnly: boolean, required: boolean): void {
    const options = this.array(el, 'options', pointer, { max, min: 1, required });
    options?.forEach((o, i) => {
      this.option(o, `${pointer}/options/${i}`, plainOnly);
    });
  }
}
