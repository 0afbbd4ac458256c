/**
 * Block Kit → HTML for the sandbox page. Pure functions returning HTML strings in which every piece of
 * text from a payload is escaped; interactive elements carry `data-*` attributes that the page reads to
 * send the bot the same request Slack would. Anything this renderer does not know is shown as a visible
 * "unsupported" box with its JSON, never dropped. Runs in the browser and in Node (unit tests).
 */

import { markdown, richText } from './render-rich-text.js';
import {
  decodeSlackEntities,
  emoji,
  escapeHtml,
  isObject,
  mrkdwn,
  safeHref,
  unsupported,
} from './render-text.js';

export { decodeSlackEntities, emoji, escapeHtml, mrkdwn, safeHref, unsupported };

/**
 * @typedef {Record<string, unknown>} Json
 * @typedef {'message' | 'modal' | 'home'} Surface
 * @typedef {object} RenderContext
 * @property {Record<string, string>} [users] user id → display name, for `<@U…>` and users_select
 * @property {Record<string, string>} [channels] channel id → name, for `<#C…>`
 * @property {Surface} [surface] where the blocks are shown (input blocks belong in modals and Home)
 * @property {Record<string, string>} [errors] block_id → message, from `response_action: errors`
 */

/** A text object (plain_text or mrkdwn) as HTML. @param {unknown} t @param {RenderContext} ctx */
export function textObject(t, ctx = {}) {
  if (!isObject(t)) return '';
  const text = typeof t.text === 'string' ? t.text : '';
  if (t.type === 'mrkdwn') return mrkdwn(text, ctx);
  return emoji(escapeHtml(text)).replace(/\n/g, '<br>');
}

/** Plain text of a text object (for option labels, titles, attributes). @param {unknown} t */
function plainOf(t) {
  return isObject(t) && typeof t.text === 'string' ? t.text : '';
}

/** @param {Record<string, unknown>} attrs */
function attributes(attrs) {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== null && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${escapeHtml(v)}"`))
    .join('');
}

/** @param {Json} el */
function optionsOf(el) {
  /** @type {Array<{ option: Json, group: string | null }>} */
  const out = [];
  if (Array.isArray(el.options))
    for (const o of el.options) if (isObject(o)) out.push({ option: o, group: null });
  if (Array.isArray(el.option_groups)) {
    for (const g of el.option_groups) {
      if (!isObject(g) || !Array.isArray(g.options)) continue;
      for (const o of g.options) if (isObject(o)) out.push({ option: o, group: plainOf(g.label) });
    }
  }
  return out;
}

/** `<option>`s, grouped as in the element. @param {Json} el @param {Set<string>} selected */
function optionTags(el, selected) {
  const tag = (/** @type {Json} */ o) =>
    `<option${attributes({ value: String(o.value ?? ''), selected: selected.has(String(o.value)) })}>${emoji(escapeHtml(plainOf(o.text)))}</option>`;
  if (Array.isArray(el.option_groups)) {
    return el.option_groups
      .filter(isObject)
      .map(
        (g) =>
          `<optgroup label="${escapeHtml(plainOf(g.label))}">${(Array.isArray(g.options) ? g.options.filter(isObject) : []).map(tag).join('')}</optgroup>`,
      )
      .join('');
  }
  return (Array.isArray(el.options) ? el.options.filter(isObject) : []).map(tag).join('');
}

/** @param {RenderContext} ctx @param {Set<string>} selected */
function userOptionTags(ctx, selected) {
  return Object.entries(ctx.users ?? {})
    .map(
      ([id, name]) =>
        `<option${attributes({ value: id, selected: selected.has(id) })}>${escapeHtml(name)}</option>`,
    )
    .join('');
}

/** @param {Json} el */
function initialValues(el) {
  /** @type {Set<string>} */
  const s = new Set();
  if (isObject(el.initial_option)) s.add(String(el.initial_option.value));
  if (Array.isArray(el.initial_options))
    for (const o of el.initial_options) if (isObject(o)) s.add(String(o.value));
  if (typeof el.initial_user === 'string') s.add(el.initial_user);
  if (Array.isArray(el.initial_users)) for (const u of el.initial_users) s.add(String(u));
  return s;
}

/**
 * The attributes that tell the page what to send: block_id, action_id, value, url and the confirm
 * dialog (as JSON) of an interactive element.
 * @param {Json} el @param {string} blockId
 */
function actionAttributes(el, blockId) {
  return attributes({
    'data-bk-action': el.type,
    'data-block-id': blockId,
    'data-action-id': typeof el.action_id === 'string' ? el.action_id : '',
    'data-value': typeof el.value === 'string' ? el.value : undefined,
    'data-url': typeof el.url === 'string' ? (safeHref(el.url) ?? undefined) : undefined,
    'data-confirm': isObject(el.confirm) ? JSON.stringify(el.confirm) : undefined,
  });
}

/**
 * An element in a section accessory or an actions block (a click or a choice sends block_actions).
 * @param {unknown} el @param {string} blockId @param {RenderContext} ctx
 */
export function actionElement(el, blockId, ctx = {}) {
  if (!isObject(el)) return unsupported('element', el);
  const placeholder = plainOf(el.placeholder);
  switch (el.type) {
    case 'button': {
      const style = el.style === 'primary' || el.style === 'danger' ? ` bk-${el.style}` : '';
      return `<button type="button" class="bk-button${style}"${actionAttributes(el, blockId)}>${escapeHtml(plainOf(el.text))}${typeof el.url === 'string' ? ' <span class="bk-external">↗</span>' : ''}</button>`;
    }
    case 'static_select':
    case 'users_select':
    case 'overflow': {
      const selected = initialValues(el);
      const first =
        el.type === 'overflow'
          ? '<option value="">⋯</option>'
          : `<option value="">${escapeHtml(placeholder || 'Select an item')}</option>`;
      const options = el.type === 'users_select' ? userOptionTags(ctx, selected) : optionTags(el, selected);
      return `<select class="bk-select${el.type === 'overflow' ? ' bk-overflow' : ''}"${actionAttributes(el, blockId)}>${first}${options}</select>`;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      // A click sends block_actions with what is ticked now (checkboxes) or the option chosen (radio).
      const selected = initialValues(el);
      const kind = el.type === 'checkboxes' ? 'checkbox' : 'radio';
      const name = `bk-${blockId}-${typeof el.action_id === 'string' ? el.action_id : ''}`;
      const items = optionsOf(el)
        .map(({ option }) => {
          const description = option.description
            ? `<span class="bk-choice-desc">${textObject(option.description, ctx)}</span>`
            : '';
          return `<label class="bk-choice"><input type="${kind}"${attributes({ name, value: String(option.value ?? ''), checked: selected.has(String(option.value)) })}> <span>${textObject(option.text, ctx)}${description}</span></label>`;
        })
        .join('');
      return `<div class="bk-choices"${actionAttributes(el, blockId)}>${items}</div>`;
    }
    case 'datepicker':
      return `<input type="date" class="bk-date-input"${actionAttributes(el, blockId)}${attributes({ value: typeof el.initial_date === 'string' ? el.initial_date : undefined })}>`;
    case 'image':
      return imageTag(el, 'bk-accessory-image');
    default:
      return unsupported('element', el);
  }
}

/** @param {Json} el @param {string} className */
function imageTag(el, className) {
  const src = typeof el.image_url === 'string' ? safeHref(el.image_url) : null;
  const alt = typeof el.alt_text === 'string' ? el.alt_text : '';
  if (!src) return `<span class="${className} bk-image-missing">${escapeHtml(alt || 'image')}</span>`;
  return `<img class="${className}" src="${escapeHtml(src)}" alt="${escapeHtml(alt)}" loading="lazy" referrerpolicy="no-referrer">`;
}

/**
 * An input element of a modal or Home input block; the page reads it back with `data-bk-input`.
 * @param {unknown} el @param {string} blockId @param {RenderContext} ctx @param {string} [domId]
 */
export function inputElement(el, blockId, ctx = {}, domId = blockId) {
  if (!isObject(el)) return unsupported('element', el);
  const base = {
    'data-bk-input': el.type,
    'data-block-id': blockId,
    'data-action-id': typeof el.action_id === 'string' ? el.action_id : '',
    id: `bk-${domId}`,
  };
  const placeholder = plainOf(el.placeholder) || undefined;
  const initialValue = typeof el.initial_value === 'string' ? el.initial_value : undefined;
  switch (el.type) {
    case 'plain_text_input': {
      const common = {
        ...base,
        placeholder,
        maxlength: typeof el.max_length === 'number' ? el.max_length : undefined,
        minlength: typeof el.min_length === 'number' ? el.min_length : undefined,
      };
      if (el.multiline === true) {
        return `<textarea class="bk-textarea" rows="4"${attributes(common)}>${escapeHtml(initialValue ?? '')}</textarea>`;
      }
      return `<input type="text" class="bk-text-input"${attributes({ ...common, value: initialValue })}>`;
    }
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input': {
      const type = el.type === 'number_input' ? 'number' : el.type === 'email_text_input' ? 'email' : 'url';
      return `<input type="${type}" class="bk-text-input"${attributes({ ...base, placeholder, value: initialValue, step: el.type === 'number_input' && el.is_decimal_allowed === true ? 'any' : undefined })}>`;
    }
    case 'static_select':
    case 'users_select': {
      const selected = initialValues(el);
      const options = el.type === 'users_select' ? userOptionTags(ctx, selected) : optionTags(el, selected);
      return `<select class="bk-select"${attributes(base)}><option value="">${escapeHtml(placeholder ?? 'Select an item')}</option>${options}</select>`;
    }
    case 'multi_static_select':
    case 'multi_users_select': {
      const selected = initialValues(el);
      const options =
        el.type === 'multi_users_select' ? userOptionTags(ctx, selected) : optionTags(el, selected);
      const max = typeof el.max_selected_items === 'number' ? el.max_selected_items : undefined;
      return `<select multiple class="bk-select bk-multi"${attributes({ ...base, 'data-max': max })}>${options}</select>`;
    }
    case 'datepicker':
      return `<input type="date" class="bk-date-input"${attributes({ ...base, value: typeof el.initial_date === 'string' ? el.initial_date : undefined })}>`;
    case 'timepicker':
      return `<input type="time" class="bk-date-input"${attributes({ ...base, value: typeof el.initial_time === 'string' ? el.initial_time : undefined })}>`;
    case 'checkboxes':
    case 'radio_buttons': {
      const selected = initialValues(el);
      const kind = el.type === 'checkboxes' ? 'checkbox' : 'radio';
      const items = optionsOf(el)
        .map(
          ({ option }) =>
            `<label class="bk-choice"><input type="${kind}"${attributes({ name: `bk-${domId}`, value: String(option.value ?? ''), checked: selected.has(String(option.value)) })}> ${textObject(option.text, ctx)}</label>`,
        )
        .join('');
      return `<div class="bk-choices"${attributes(base)}>${items}</div>`;
    }
    default:
      return unsupported('element', el);
  }
}

/** The block's own id; Slack makes one up when there is none, so the page sends none. @param {Json} block */
function blockIdOf(block) {
  return typeof block.block_id === 'string' ? block.block_id : '';
}

/**
 * One block as HTML.
 * @param {unknown} block @param {number} index @param {RenderContext} ctx
 */
export function renderBlock(block, index, ctx = {}) {
  if (!isObject(block)) return unsupported('block', block);
  const id = blockIdOf(block);
  const wrap = (/** @type {string} */ inner) =>
    `<div class="bk-block bk-${escapeHtml(block.type)}" data-block-id="${escapeHtml(id)}">${inner}</div>`;
  switch (block.type) {
    case 'section': {
      const text = block.text ? `<div class="bk-text">${textObject(block.text, ctx)}</div>` : '';
      const fields = Array.isArray(block.fields)
        ? `<div class="bk-fields">${block.fields.map((f) => `<div class="bk-field">${textObject(f, ctx)}</div>`).join('')}</div>`
        : '';
      const accessory = block.accessory
        ? `<div class="bk-accessory">${actionElement(block.accessory, id, ctx)}</div>`
        : '';
      return wrap(`<div class="bk-section-body">${text}${fields}</div>${accessory}`);
    }
    case 'context': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      const items = elements
        .map((e) => {
          if (isObject(e) && (e.type === 'mrkdwn' || e.type === 'plain_text')) {
            return `<span class="bk-context-item">${textObject(e, ctx)}</span>`;
          }
          if (isObject(e) && e.type === 'image') return imageTag(e, 'bk-context-image');
          return unsupported('context element', e);
        })
        .join('');
      return wrap(items);
    }
    case 'divider':
      return wrap('<hr class="bk-divider">');
    case 'header':
      return wrap(`<h3 class="bk-header-text">${textObject(block.text, ctx)}</h3>`);
    case 'actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      return wrap(elements.map((e) => actionElement(e, id, ctx)).join(''));
    }
    case 'image': {
      const title = block.title ? `<div class="bk-image-title">${textObject(block.title, ctx)}</div>` : '';
      return wrap(`${title}${imageTag(block, 'bk-image')}`);
    }
    case 'rich_text':
      return wrap(richText(block, ctx));
    case 'markdown':
      return wrap(markdown(typeof block.text === 'string' ? block.text : ''));
    case 'input': {
      if (ctx.surface === 'message') return unsupported('block in a message', block);
      const el = isObject(block.element) ? block.element : {};
      const optional = block.optional === true ? ' <span class="bk-optional">(optional)</span>' : '';
      const hint = block.hint ? `<div class="bk-hint">${textObject(block.hint, ctx)}</div>` : '';
      const error = id ? ctx.errors?.[id] : undefined;
      const errorHtml = error ? `<div class="bk-input-error" role="alert">${escapeHtml(error)}</div>` : '';
      const domId = id || `block-${index}`;
      return `<div class="bk-block bk-input${error ? ' bk-has-error' : ''}" data-block-id="${escapeHtml(id)}"${attributes({ 'data-optional': block.optional === true })}><label class="bk-label" for="bk-${escapeHtml(domId)}">${escapeHtml(plainOf(block.label))}${optional}</label>${inputElement(el, id, ctx, domId)}${hint}${errorHtml}</div>`;
    }
    default:
      return unsupported('block', block);
  }
}

/** Blocks as HTML. @param {unknown} blocks @param {RenderContext} [ctx] */
export function renderBlocks(blocks, ctx = {}) {
  if (!Array.isArray(blocks)) return '';
  return blocks.map((b, i) => renderBlock(b, i, ctx)).join('');
}

/**
 * A modal: title, blocks, Close/Submit buttons; errors from `response_action: errors` under the fields.
 * @param {unknown} view @param {RenderContext} [ctx]
 */
export function renderModal(view, ctx = {}) {
  if (!isObject(view)) return unsupported('view', view);
  const title = escapeHtml(plainOf(view.title));
  const close = escapeHtml(plainOf(view.close) || 'Cancel');
  const submit = view.submit
    ? `<button type="submit" class="bk-button bk-primary" data-modal-submit>${escapeHtml(plainOf(view.submit))}</button>`
    : '';
  return `<form class="bk-modal" data-view-id="${escapeHtml(view.id)}" novalidate><header class="bk-modal-header"><h2>${title}</h2><button type="button" class="bk-modal-x" data-modal-close aria-label="Close">×</button></header><div class="bk-modal-body">${renderBlocks(view.blocks, { ...ctx, surface: 'modal' })}</div><footer class="bk-modal-footer"><button type="button" class="bk-button" data-modal-close>${close}</button>${submit}</footer></form>`;
}

/**
 * A confirm dialog (the `confirm` object of a button) as HTML.
 * @param {unknown} confirm @param {RenderContext} [ctx]
 */
export function renderConfirm(confirm, ctx = {}) {
  if (!isObject(confirm)) return '';
  const style = confirm.style === 'danger' ? ' bk-danger' : ' bk-primary';
  return `<div class="bk-confirm" role="dialog" aria-modal="true"><h2>${escapeHtml(plainOf(confirm.title))}</h2><div class="bk-confirm-text">${textObject(confirm.text, ctx)}</div><footer><button type="button" class="bk-button" data-confirm-deny>${escapeHtml(plainOf(confirm.deny) || 'Cancel')}</button><button type="button" class="bk-button${style}" data-confirm-ok>${escapeHtml(plainOf(confirm.confirm) || 'Yes')}</button></footer></div>`;
}
