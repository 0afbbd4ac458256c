/**
 * Block Kit validation with Slack's own limits and error wording, so the stand-in rejects what Slack would
 * reject (`invalid_blocks` / `invalid_arguments` with `response_metadata.messages`) and a builder bug shows
 * up in tests instead of in production. Limits are taken from docs.slack.dev (block, element and
 * composition-object references). Error strings look like Slack's:
 * `[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
 */

type Surface = 'message' | 'modal' | 'home';
type Json = Record<string, unknown>;

/** Documented limits, in one place so tests and readers can see them. */
export const BLOCK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  textObject: 3000,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  imageAltText: 2000,
  imageTitle: 2000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  selectOptions: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  overflowOptions: 5,
  checkboxOptions: 10,
  radioOptions: 10,
  plainTextInputLength: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  markdownTotal: 12_000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

const BLOCK_TYPES = new Set([
  'section',
  'context',
  'divider',
  'header',
  'actions',
  'input',
  'image',
  'rich_text',
  'markdown',
]);

const SELECT_TYPES = new Set([
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
]);
const MULTI_SELECT_TYPES = new Set([
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
]);
const INPUT_ONLY_ELEMENTS = new Set([
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'rich_text_input',
  'file_input',
]);
const INTERACTIVE_ELEMENTS = new Set([
  'button',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
  ...SELECT_TYPES,
  ...MULTI_SELECT_TYPES,
]);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  readonly errors: string[] = [];
  private markdownChars = 0;

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

  element(el: unknown, at: string, where: 'section' | 'actions' | 'input' | 'context'): void {
    if (!isObject(el)) {
      this.fail('must provide an object', at);
      return;
    }
    const type = el.type;
    if (typeof type !== 'string') {
      this.fail('missing required field: type', at);
      return;
    }
    if (where === 'context') {
      if (type === 'image') this.imageElement(el, at);
      else if (type === 'plain_text' || type === 'mrkdwn')
        this.textObject(el, at, BLOCK_LIMITS.textObject, false);
      else this.fail(`unsupported type: ${type}`, `${at}/type`);
      return;
    }
    const allowedHere =
      (where === 'section' && (INTERACTIVE_ELEMENTS.has(type) || type === 'image')) ||
      (where === 'actions' && INTERACTIVE_ELEMENTS.has(type)) ||
      (where === 'input' &&
        (INPUT_ONLY_ELEMENTS.has(type) || INTERACTIVE_ELEMENTS.has(type)) &&
        type !== 'button');
    if (!allowedHere) {
      this.fail(`unsupported type: ${type}`, `${at}/type`);
      return;
    }
    if (type === 'image') {
      this.imageElement(el, at);
      return;
    }
    this.string(el, 'action_id', at, { max: BLOCK_LIMITS.actionId });
    this.confirm(el, at);
    this.text(el, 'placeholder', at, { max: BLOCK_LIMITS.placeholder, plainOnly: true });
    switch (type) {
      case 'button':
        this.text(el, 'text', at, { max: BLOCK_LIMITS.buttonText, plainOnly: true, required: true });
        this.string(el, 'value', at, { max: BLOCK_LIMITS.buttonValue });
        this.string(el, 'url', at, { max: BLOCK_LIMITS.url });
        this.string(el, 'accessibility_label', at, { max: BLOCK_LIMITS.buttonText });
        this.enumValue(el, 'style', at, ['primary', 'danger']);
        break;
      case 'overflow':
        this.array(el, 'options', at, { min: 1, max: BLOCK_LIMITS.overflowOptions, required: true })?.forEach(
          (o, i) => {
            this.option(o, `${at}/options/${i}`, true);
          },
        );
        break;
      case 'checkboxes':
        this.options(el, at, BLOCK_LIMITS.checkboxOptions, false, true);
        break;
      case 'radio_buttons':
        this.options(el, at, BLOCK_LIMITS.radioOptions, false, true);
        break;
      case 'static_select':
      case 'multi_static_select':
        this.staticSelect(el, at);
        break;
      case 'datepicker':
        if (el.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(el.initial_date))) {
          this.fail('must match format YYYY-MM-DD', `${at}/initial_date`);
        }
        break;
      case 'plain_text_input':
        this.lengthBound(el, 'min_length', at, 0);
        this.lengthBound(el, 'max_length', at, 1);
        break;
      default:
        break;
    }
    if (MULTI_SELECT_TYPES.has(type) && el.max_selected_items !== undefined) {
      const n = el.max_selected_items;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
        this.fail('must be an integer of at least 1', `${at}/max_selected_items`);
      }
    }
  }

  private lengthBound(el: Json, key: string, at: string, min: number): void {
    const n = el[key];
    if (n === undefined) return;
    if (typeof n !== 'number' || !Number.isInteger(n)) this.fail('must provide an integer', `${at}/${key}`);
    else if (n < min || n > BLOCK_LIMITS.plainTextInputLength) {
      this.fail(`must be between ${min} and ${BLOCK_LIMITS.plainTextInputLength}`, `${at}/${key}`);
    }
  }

  private staticSelect(el: Json, at: string): void {
    const hasOptions = el.options !== undefined;
    const hasGroups = el.option_groups !== undefined;
    if (hasOptions && hasGroups) this.fail('must provide either options or option_groups, not both', at);
    if (!hasOptions && !hasGroups) {
      this.fail('missing required field: options', at);
      return;
    }
    if (hasOptions) this.options(el, at, BLOCK_LIMITS.selectOptions, true, true);
    const groups = this.array(el, 'option_groups', at, { min: 1, max: BLOCK_LIMITS.optionGroups });
    groups?.forEach((g, i) => {
      const gAt = `${at}/option_groups/${i}`;
      if (!isObject(g)) {
        this.fail('must provide an object', gAt);
        return;
      }
      this.text(g, 'label', gAt, { max: BLOCK_LIMITS.optionGroupLabel, plainOnly: true, required: true });
      this.options(g, gAt, BLOCK_LIMITS.selectOptions, true, true);
    });
    if (el.initial_option !== undefined) this.option(el.initial_option, `${at}/initial_option`, true);
    if (el.initial_options !== undefined) {
      this.array(el, 'initial_options', at, {})?.forEach((o, i) => {
        this.option(o, `${at}/initial_options/${i}`, true);
      });
    }
  }

  private imageElement(el: Json, at: string): void {
    if (el.image_url === undefined && el.slack_file === undefined) {
      this.fail('missing required field: image_url', at);
    }
    this.string(el, 'image_url', at, { max: BLOCK_LIMITS.url });
    this.string(el, 'alt_text', at, { max: BLOCK_LIMITS.imageAltText, required: true });
  }

  blocks(blocks: unknown[], pointer: string): void {
    const seen = new Set<string>();
    blocks.forEach((block, i) => {
      const at = `${pointer}/${i}`;
      if (!isObject(block)) {
        this.fail('must provide an object', at);
        return;
      }
      const blockId = this.string(block, 'block_id', at, { max: BLOCK_LIMITS.blockId, required: false });
      if (blockId !== undefined) {
        if (blockId.length === 0) this.fail('must be more than 0 characters', `${at}/block_id`);
        if (seen.has(blockId)) this.fail(`duplicate block_id: ${blockId}`, `${at}/block_id`);
        seen.add(blockId);
      }
      this.block(block, at);
    });
  }

  private block(block: Json, at: string): void {
    const type = block.type;
    if (typeof type !== 'string') {
      this.fail('missing required field: type', at);
      return;
    }
    if (!BLOCK_TYPES.has(type)) {
      this.fail(`unsupported type: ${type}`, `${at}/type`);
      return;
    }
    switch (type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          this.fail('must provide either text or fields', at);
        }
        this.text(block, 'text', at, { max: BLOCK_LIMITS.sectionText });
        const fields = this.array(block, 'fields', at, { min: 1, max: BLOCK_LIMITS.sectionFields });
        fields?.forEach((f, i) => {
          this.textObject(f, `${at}/fields/${i}`, BLOCK_LIMITS.sectionFieldText, false);
        });
        if (block.accessory !== undefined) this.element(block.accessory, `${at}/accessory`, 'section');
        break;
      }
      case 'header':
        this.text(block, 'text', at, { max: BLOCK_LIMITS.headerText, plainOnly: true, required: true });
        break;
      case 'context': {
        const elements = this.array(block, 'elements', at, {
          min: 1,
          max: BLOCK_LIMITS.contextElements,
          required: true,
        });
        elements?.forEach((e, i) => {
          this.element(e, `${at}/elements/${i}`, 'context');
        });
        break;
      }
      case 'actions': {
        const elements = this.array(block, 'elements', at, {
          min: 1,
          max: BLOCK_LIMITS.actionsElements,
          required: true,
        });
        elements?.forEach((e, i) => {
          this.element(e, `${at}/elements/${i}`, 'actions');
        });
        this.uniqueActionIds(elements ?? [], `${at}/elements`);
        break;
      }
      case 'input':
        if (this.surface === 'message') {
          this.fail('unsupported type: input (input blocks belong in modals and Home tabs)', `${at}/type`);
          return;
        }
        this.text(block, 'label', at, { max: BLOCK_LIMITS.inputLabel, plainOnly: true, required: true });
        this.text(block, 'hint', at, { max: BLOCK_LIMITS.inputHint, plainOnly: true });
        if (block.element === undefined) this.fail('missing required field: element', at);
        else this.element(block.element, `${at}/element`, 'input');
        break;
      case 'image':
        this.imageElement(block, at);
        this.text(block, 'title', at, { max: BLOCK_LIMITS.imageTitle, plainOnly: true });
        break;
      case 'rich_text':
        this.array(block, 'elements', at, { required: true });
        break;
      case 'markdown': {
        const text = this.string(block, 'text', at, { required: true });
        this.markdownChars += text?.length ?? 0;
        if (this.markdownChars > BLOCK_LIMITS.markdownTotal) {
          this.fail(
            `cumulative markdown text must be less than ${BLOCK_LIMITS.markdownTotal + 1} characters`,
            `${at}/text`,
          );
        }
        break;
      }
      default:
        break;
    }
  }

  private uniqueActionIds(elements: unknown[], pointer: string): void {
    const seen = new Set<string>();
    elements.forEach((e, i) => {
      if (!isObject(e) || typeof e.action_id !== 'string') return;
      if (seen.has(e.action_id))
        this.fail(`duplicate action_id: ${e.action_id}`, `${pointer}/${i}/action_id`);
      seen.add(e.action_id);
    });
  }
}

/**
 * Validates the `blocks` (and optionally the `text`) of a message. `blocks` may be undefined (a text-only
 * message is fine), an array, or anything else (which is an error).
 */
export function validateMessageBlocks(blocks: unknown, text?: unknown): string[] {
  const c = new Checker('message');
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') c.fail('must provide a string', '/text');
    else if (text.length > BLOCK_LIMITS.messageText) {
      c.fail(`must be less than ${BLOCK_LIMITS.messageText + 1} characters`, '/text');
    }
  }
  if (blocks === undefined || blocks === null) return c.errors;
  if (!Array.isArray(blocks)) {
    c.fail('must provide an array', '/blocks');
    return c.errors;
  }
  if (blocks.length > BLOCK_LIMITS.messageBlocks) {
    c.fail(`no more than ${BLOCK_LIMITS.messageBlocks} items allowed`, '/blocks');
  }
  c.blocks(blocks, '/blocks');
  return c.errors;
}

/** Validates a modal or Home tab view object (what `views.open/update/push/publish` receive). */
export function validateView(view: unknown): string[] {
  if (!isObject(view)) return ['[ERROR] must provide an object [json-pointer:/view]'];
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    return ['[ERROR] must be a valid enum value [json-pointer:/view/type]'];
  }
  const c = new Checker(type);
  const at = '/view';
  if (type === 'modal') {
    c.text(view, 'title', at, { max: BLOCK_LIMITS.modalTitle, plainOnly: true, required: true });
    c.text(view, 'submit', at, { max: BLOCK_LIMITS.modalButton, plainOnly: true });
    c.text(view, 'close', at, { max: BLOCK_LIMITS.modalButton, plainOnly: true });
  }
  c.string(view, 'private_metadata', at, { max: BLOCK_LIMITS.privateMetadata });
  c.string(view, 'callback_id', at, { max: BLOCK_LIMITS.callbackId });
  c.string(view, 'external_id', at, { max: BLOCK_LIMITS.externalId });
  const blocks = c.array(view, 'blocks', at, { max: BLOCK_LIMITS.viewBlocks, required: true });
  if (blocks) {
    c.blocks(blocks, `${at}/blocks`);
    const hasInput = blocks.some((b) => isObject(b) && b.type === 'input');
    if (type === 'modal' && hasInput && view.submit === undefined) {
      c.fail('submit is required when an input block is within the blocks array', at);
    }
  }
  return c.errors;
}
