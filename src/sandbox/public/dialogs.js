/** The page's confirm dialog (a button's `confirm`), toasts and the message "more" menu. */
import { renderConfirm } from './render-blocks.js';
import { escapeHtml } from './render-text.js';

/** @typedef {Record<string, any>} Json */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Shows a button's confirm dialog; resolves true when confirmed.
 * @param {Json} confirm @param {import('./render-blocks.js').RenderContext} ctx @returns {Promise<boolean>}
 */
export function askConfirm(confirm, ctx) {
  const layer = $('confirm-layer');
  layer.innerHTML = renderConfirm(confirm, ctx);
  layer.hidden = false;
  return new Promise((resolve) => {
    /** @param {boolean} ok */
    const done = (ok) => {
      layer.hidden = true;
      layer.innerHTML = '';
      layer.removeEventListener('click', onClick);
      resolve(ok);
    };
    /** @param {Event} e */
    const onClick = (e) => {
      const t = /** @type {HTMLElement} */ (e.target);
      if (t.closest('[data-confirm-ok]')) done(true);
      else if (t.closest('[data-confirm-deny]') || t === layer) done(false);
    };
    layer.addEventListener('click', onClick);
    /** @type {HTMLElement | null} */ (layer.querySelector('[data-confirm-ok]'))?.focus();
  });
}

/** @param {string} text @param {'info' | 'error'} [kind] */
export function toast(text, kind = 'info') {
  const el = document.createElement('div');
  el.className = `toast toast-${kind}`;
  el.textContent = text;
  $('toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** @param {HTMLElement} anchor @param {Array<{ label: string, run: () => void }>} items */
export function openMenu(anchor, items) {
  const menu = $('menu');
  menu.innerHTML = items
    .map(
      (it, i) =>
        `<button type="button" class="menu-item" data-menu-item="${i}" role="menuitem">${escapeHtml(it.label)}</button>`,
    )
    .join('');
  const r = anchor.getBoundingClientRect();
  menu.style.top = `${r.bottom + window.scrollY + 4}px`;
  menu.style.left = `${Math.max(8, r.right - 220)}px`;
  menu.hidden = false;
  menu.onclick = (e) => {
    const b = /** @type {HTMLElement} */ (e.target).closest('[data-menu-item]');
    if (!b) return;
    menu.hidden = true;
    items[Number(/** @type {HTMLElement} */ (b).dataset.menuItem)]?.run();
  };
}
