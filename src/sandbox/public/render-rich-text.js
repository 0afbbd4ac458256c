/**
 * `rich_text` and `markdown` blocks → HTML for the sandbox page, with the same rules as render-blocks.js:
 * every piece of payload text is escaped, links only for http(s)/mailto, anything unknown stays visible.
 * `rich_text` is what Slack's composer sends (sections, lists, quotes, preformatted, with styled runs);
 * `markdown` is the standard Markdown block apps may send (headings, emphasis, code, lists, quotes, links).
 */
import { emoji, escapeHtml, isObject, safeHref, unsupported } from './render-text.js';

/**
 * @typedef {Record<string, unknown>} Json
 * @typedef {import('./render-blocks.js').RenderContext} RenderContext
 */

/** @param {string} html @param {unknown} style */
function styled(html, style) {
  if (!isObject(style)) return html;
  let out = html;
  if (style.code === true) out = `<code>${out}</code>`;
  if (style.bold === true) out = `<strong>${out}</strong>`;
  if (style.italic === true) out = `<em>${out}</em>`;
  if (style.strike === true) out = `<del>${out}</del>`;
  return out;
}

/** One run of a rich_text section: text, link, mention, emoji, date, … @param {unknown} el @param {RenderContext} ctx */
function richElement(el, ctx) {
  if (!isObject(el)) return unsupported('rich text element', el);
  const str = (/** @type {unknown} */ v) => (typeof v === 'string' ? v : '');
  switch (el.type) {
    case 'text':
      return styled(escapeHtml(str(el.text)).replace(/\n/g, '<br>'), el.style);
    case 'link': {
      const href = safeHref(str(el.url));
      const label = escapeHtml(str(el.text) || str(el.url));
      if (!href) return styled(label, el.style);
      return styled(
        `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`,
        el.style,
      );
    }
    case 'user': {
      const id = str(el.user_id);
      return `<span class="bk-mention" data-user-id="${escapeHtml(id)}">@${escapeHtml(ctx.users?.[id] ?? id)}</span>`;
    }
    case 'channel': {
      const id = str(el.channel_id);
      return `<span class="bk-mention bk-channel">#${escapeHtml(ctx.channels?.[id] ?? id)}</span>`;
    }
    case 'usergroup':
      return `<span class="bk-mention">@${escapeHtml(str(el.usergroup_id))}</span>`;
    case 'broadcast':
      return `<span class="bk-mention bk-special">@${escapeHtml(str(el.range) || 'here')}</span>`;
    case 'emoji': {
      const name = str(el.name);
      const fromCode = str(el.unicode)
        .split('-')
        .map((hex) => Number.parseInt(hex, 16))
        .filter((n) => Number.isFinite(n) && n > 0 && n <= 0x10ffff);
      return fromCode.length > 0 ? String.fromCodePoint(...fromCode) : emoji(`:${escapeHtml(name)}:`);
    }
    case 'date': {
      const seconds = Number(el.timestamp);
      const iso = Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : '';
      return `<time class="bk-date" datetime="${escapeHtml(iso)}">${escapeHtml(str(el.fallback) || iso)}</time>`;
    }
    case 'color':
      return `<code>${escapeHtml(str(el.value))}</code>`;
    default:
      return unsupported('rich text element', el);
  }
}

/** @param {unknown} elements @param {RenderContext} ctx */
function runs(elements, ctx) {
  return Array.isArray(elements) ? elements.map((e) => richElement(e, ctx)).join('') : '';
}

/** One part of a rich_text block. @param {unknown} part @param {RenderContext} ctx */
function richPart(part, ctx) {
  if (!isObject(part)) return unsupported('rich text part', part);
  switch (part.type) {
    case 'rich_text_section':
      return `<div class="bk-rt-section">${runs(part.elements, ctx)}</div>`;
    case 'rich_text_preformatted':
      return `<pre class="bk-rt-pre">${runs(part.elements, ctx)}</pre>`;
    case 'rich_text_quote':
      return `<blockquote class="bk-rt-quote">${runs(part.elements, ctx)}</blockquote>`;
    case 'rich_text_list': {
      const tag = part.style === 'ordered' ? 'ol' : 'ul';
      const indent = typeof part.indent === 'number' ? Math.max(0, Math.min(part.indent, 8)) : 0;
      const start = typeof part.offset === 'number' && tag === 'ol' ? ` start="${part.offset + 1}"` : '';
      const items = Array.isArray(part.elements)
        ? part.elements
            .map(
              (item) =>
                `<li>${isObject(item) ? runs(item.elements, ctx) : unsupported('list item', item)}</li>`,
            )
            .join('')
        : '';
      return `<${tag} class="bk-rt-list bk-rt-indent-${indent}"${start}>${items}</${tag}>`;
    }
    default:
      return unsupported('rich text part', part);
  }
}

/** A `rich_text` block's content. @param {Json} block @param {RenderContext} [ctx] */
export function richText(block, ctx = {}) {
  return Array.isArray(block.elements) ? block.elements.map((p) => richPart(p, ctx)).join('') : '';
}

/** Inline Markdown on escaped text: code, links, bold, italic, strike, emoji. @param {string} line */
function markdownInline(line) {
  /** @type {string[]} */
  const codes = [];
  // U+E000 (private use) marks where a code span goes; any in the text itself is dropped.
  let html = escapeHtml(line.replace(/\uE000/g, '')).replace(/`([^`]+)`/g, (_all, code) => {
    codes.push(`<code>${code}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  html = html.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (all, label, url) => {
    const href = safeHref(url.replace(/&amp;/g, '&'));
    return href
      ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`
      : all;
  });
  html = html
    .replace(/\*\*(?=\S)(.+?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/__(?=\S)(.+?\S)__/g, '<strong>$1</strong>')
    .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?![\w*])/g, '$1<em>$2</em>')
    .replace(/(^|[^\w_])_(?=\S)([^_]*?\S)_(?![\w_])/g, '$1<em>$2</em>')
    .replace(/~~(?=\S)(.+?\S)~~/g, '<del>$1</del>');
  return emoji(html).replace(/\uE000(\d+)\uE000/g, (_all, i) => codes[Number(i)] ?? '');
}

/**
 * A `markdown` block: standard Markdown, block by block (fenced code, headings, lists, quotes, rules,
 * paragraphs). Raw HTML in the Markdown is shown as text, as Slack does.
 * @param {string} text
 */
export function markdown(text) {
  const lines = String(text ?? '').split('\n');
  /** @type {string[]} */
  const out = [];
  let i = 0;
  const at = (/** @type {number} */ n) => lines[n] ?? '';
  while (i < lines.length) {
    const line = at(i);
    if (/^```/.test(line)) {
      const body = [];
      i += 1;
      while (i < lines.length && !/^```/.test(at(i))) body.push(at(i++));
      i += 1;
      out.push(`<pre>${escapeHtml(body.join('\n'))}</pre>`);
    } else if (/^#{1,6}\s/.test(line)) {
      const level = Math.min((/^#+/.exec(line)?.[0].length ?? 1) + 2, 6);
      out.push(`<h${level} class="bk-md-heading">${markdownInline(line.replace(/^#+\s*/, ''))}</h${level}>`);
      i += 1;
    } else if (/^\s*([-*+]|\d+[.)])\s/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s/.test(at(i))) {
        const item = at(i++).replace(/^\s*([-*+]|\d+[.)])\s+/, '');
        const task = /^\[([ xX])\]\s+/.exec(item);
        items.push(
          task
            ? `<li class="bk-md-task"><input type="checkbox" disabled${task[1] === ' ' ? '' : ' checked'}> ${markdownInline(item.slice(task[0].length))}</li>`
            : `<li>${markdownInline(item)}</li>`,
        );
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.join('')}</${tag}>`);
    } else if (/^>/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^>/.test(at(i))) quoted.push(at(i++).replace(/^>\s?/, ''));
      out.push(`<blockquote>${quoted.map(markdownInline).join('<br>')}</blockquote>`);
    } else if (/^(\*\s*){3,}$|^(-\s*){3,}$|^(_\s*){3,}$/.test(line.trim())) {
      out.push('<hr class="bk-divider">');
      i += 1;
    } else if (line.trim() === '') {
      i += 1;
    } else {
      const para = [];
      while (
        i < lines.length &&
        at(i).trim() !== '' &&
        !/^(```|#{1,6}\s|>|\s*([-*+]|\d+[.)])\s)/.test(at(i))
      ) {
        para.push(at(i++));
      }
      out.push(`<p>${para.map(markdownInline).join('<br>')}</p>`);
    }
  }
  return out.join('');
}
