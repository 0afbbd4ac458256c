/**
 * An outbox email as a person reads it: the headers, the HTML part in a sandboxed frame (no scripts, no
 * same-origin access, no forms; the page's CSP still applies), the text part, attachments by name, and
 * the raw message folded away. Pure: returns an HTML string in which everything from the mail is escaped.
 */
import { escapeHtml } from './render-text.js';

/** @typedef {Record<string, any>} Json */

/** @param {number} bytes */
function size(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 102.4) / 10} KB`;
}

/**
 * @param {{ raw?: string, error?: string, email?: Json }} result what /sandbox/api/outbox-message answered
 * @returns {string}
 */
export function renderMail(result) {
  const raw = typeof result.raw === 'string' ? result.raw : '';
  const email = result.email;
  if (!email || typeof email !== 'object') {
    return `<div class="mail-view" data-testid="mail-view"><pre class="mail-raw" data-testid="mail-raw">${escapeHtml(raw || result.error || '')}</pre></div>`;
  }
  const h = email.headers ?? {};
  const rows = [
    ['Subject', h.subject],
    ['From', h.from],
    ['To', h.to],
    ['Cc', h.cc],
    ['Date', h.date],
  ]
    .filter(([, v]) => typeof v === 'string' && v !== '')
    .map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  // srcdoc is an attribute, so escaping it once is exactly right; sandbox="" denies scripts and origin.
  const html =
    typeof email.html === 'string'
      ? `<h4>HTML</h4><iframe class="mail-html" data-testid="mail-html" sandbox="" referrerpolicy="no-referrer" title="The email's HTML part" srcdoc="${escapeHtml(email.html)}"></iframe>`
      : '';
  const text =
    typeof email.text === 'string'
      ? `<h4>Text</h4><pre class="mail-text" data-testid="mail-text">${escapeHtml(email.text)}</pre>`
      : '';
  const attachments =
    Array.isArray(email.attachments) && email.attachments.length > 0
      ? `<h4>Attachments</h4><ul class="mail-attachments">${email.attachments
          .map(
            (/** @type {Json} */ a) =>
              `<li>${escapeHtml(a.filename)} <span>${escapeHtml(a.contentType)} · ${size(Number(a.size) || 0)}</span></li>`,
          )
          .join('')}</ul>`
      : '';
  return `<div class="mail-view" data-testid="mail-view"><dl class="mail-headers" data-testid="mail-headers">${rows}</dl>${html}${text}${attachments}<details class="mail-raw-details"><summary>Raw message (.eml)</summary><pre class="mail-raw" data-testid="mail-raw">${escapeHtml(raw)}</pre></details></div>`;
}
