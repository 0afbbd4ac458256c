/** Small Block Kit constructors that apply the limits, so callers cannot forget them. */
import { clampMrkdwn, clampText, LIMITS } from './limits.js';
import type {
  ActionsBlock,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
} from './types.js';

export function plain(text: string, max: number = LIMITS.sectionText): PlainTextElement {
  return { type: 'plain_text', text: clampText(text, max), emoji: true };
}

export function mrkdwn(text: string, max: number = LIMITS.sectionText): MrkdwnElement {
  return { type: 'mrkdwn', text: clampMrkdwn(text, max) };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
}

export function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text, LIMITS.sectionText) };
}

/** A section of label/value fields; more than ten are dropped (Slack's limit). */
export function fieldsSection(fields: readonly string[]): SectionBlock {
  return {
    type: 'section',
    fields: fields.slice(0, LIMITS.sectionFields).map((f) => mrkdwn(f, LIMITS.sectionFieldText)),
  };
}

export function context(...texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((t) => mrkdwn(t, LIMITS.contextText)),
  };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

export interface ConfirmSpec {
  title: string;
  text: string;
  confirm: string;
  deny?: string;
}

export function confirmDialog(c: ConfirmSpec, style?: 'primary' | 'danger'): ConfirmationDialog {
  return {
    title: plain(c.title, LIMITS.confirmTitle),
    text: plain(c.text, LIMITS.confirmText),
    confirm: plain(c.confirm, LIMITS.confirmButton),
    deny: plain(c.deny ?? 'Go back', LIMITS.confirmButton),
    ...(style ? { style } : {}),
  };
}

export interface ButtonSpec {
  text: string;
  actionId: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmSpec;
}

/**
 * A button. `value` and `action_id` are identifiers the listeners read back, so an over-long one
 * is a programming error: cutting it would act on the wrong thing. It throws instead.
 */
export function button(b: ButtonSpec): Button {
  if (b.actionId.length === 0 || b.actionId.length > LIMITS.actionId) {
    throw new RangeError(`action_id must be 1..${LIMITS.actionId} characters`);
  }
  if (b.value !== undefined && b.value.length > LIMITS.buttonValue) {
    throw new RangeError(`button value must be at most ${LIMITS.buttonValue} characters`);
  }
  const out: Button = { type: 'button', text: plain(b.text, LIMITS.buttonText), action_id: b.actionId };
  if (b.value !== undefined) out.value = b.value;
  if (b.url !== undefined && b.url.length <= LIMITS.buttonUrl) out.url = b.url;
  if (b.style) out.style = b.style;
  if (b.confirm) out.confirm = confirmDialog(b.confirm, b.style);
  return out;
}

export function actions(buttons: Button[], blockId?: string): ActionsBlock {
  const block: ActionsBlock = { type: 'actions', elements: buttons.slice(0, LIMITS.actionsElements) };
  if (blockId !== undefined) block.block_id = clampText(blockId, LIMITS.blockId);
  return block;
}
