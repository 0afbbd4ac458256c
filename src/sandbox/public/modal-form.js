/**
 * The controls of a rendered modal form: read what the person entered (by block id), put it back after a
 * re-render (Slack keeps input across view updates), and show the client-side "required" errors.
 */
import { escapeHtml } from './render-text.js';

/** @typedef {Record<string, { actionId: string, raw: string | string[] | null }>} Controls */

/** Values of the controls of a rendered modal, by block id. @param {HTMLElement} form */
export function readControls(form) {
  /** @type {Record<string, { actionId: string, raw: string | string[] | null }>} */
  const out = {};
  for (const el of form.querySelectorAll('[data-bk-input]')) {
    const h = /** @type {HTMLElement} */ (el);
    const blockId = h.dataset.blockId ?? '';
    const actionId = h.dataset.actionId ?? '';
    /** @type {string | string[] | null} */
    let raw = null;
    if (h instanceof HTMLSelectElement) {
      raw = h.multiple ? [...h.selectedOptions].map((o) => o.value) : h.value;
    } else if (h instanceof HTMLInputElement || h instanceof HTMLTextAreaElement) {
      raw = h.value;
    } else {
      const checked = [...h.querySelectorAll('input:checked')].map(
        (i) => /** @type {HTMLInputElement} */ (i).value,
      );
      raw = h.dataset.bkInput === 'radio_buttons' ? (checked[0] ?? null) : checked;
    }
    out[blockId] = { actionId, raw };
  }
  return out;
}

/** Puts values back after a re-render (Slack keeps input across view updates). @param {HTMLElement} form @param {Controls} values */
export function writeControls(form, values) {
  for (const el of form.querySelectorAll('[data-bk-input]')) {
    const h = /** @type {HTMLElement} */ (el);
    const v = values[h.dataset.blockId ?? ''];
    if (!v || v.actionId !== h.dataset.actionId) continue;
    if (h instanceof HTMLSelectElement) {
      const chosen = new Set(Array.isArray(v.raw) ? v.raw : [v.raw ?? '']);
      for (const o of h.options) o.selected = chosen.has(o.value);
    } else if (h instanceof HTMLInputElement || h instanceof HTMLTextAreaElement) {
      h.value = Array.isArray(v.raw) ? (v.raw[0] ?? '') : (v.raw ?? '');
    } else {
      const chosen = new Set(Array.isArray(v.raw) ? v.raw : [v.raw ?? '']);
      /** @type {HTMLInputElement} */ for (const i of h.querySelectorAll('input'))
        i.checked = chosen.has(/** @type {HTMLInputElement} */ (i).value);
    }
  }
}

/** Slack's client-side "required" check, shown under the fields. @param {HTMLElement} form @param {Record<string, string>} errors */
export function showClientErrors(form, errors) {
  for (const el of form.querySelectorAll('.bk-client-error')) el.remove();
  for (const [blockId, message] of Object.entries(errors)) {
    const block = form.querySelector(`.bk-input[data-block-id="${CSS.escape(blockId)}"]`);
    block?.insertAdjacentHTML(
      'beforeend',
      `<div class="bk-input-error bk-client-error" role="alert">${escapeHtml(message)}</div>`,
    );
  }
}
