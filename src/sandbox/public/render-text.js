/**
 * Slack text → HTML for the sandbox page: escaping, Slack's mrkdwn (bold, italic, strike, code, quotes,
 * links, mentions, dates, emoji), safe links, and the visible "unsupported" box for anything unknown.
 * Shared by render-blocks.js and render-rich-text.js; runs in the browser and in Node (unit tests).
 */

/**
 * @typedef {Record<string, unknown>} Json
 * @typedef {import('./render-blocks.js').RenderContext} RenderContext
 */

/** @param {unknown} v @returns {v is Json} */
export function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @type {Record<string, string>} */
const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** @param {unknown} value */
export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The three entities Slack uses in message text. @param {string} text */
export function decodeSlackEntities(text) {
  return text.replace(/&(lt|gt|amp);/g, (_m, name) => (name === 'lt' ? '<' : name === 'gt' ? '>' : '&'));
}

/** Emoji the bot and the sample discussion use; others stay as `:name:`. */
/** @type {Record<string, string>} */
const EMOJI = {
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  information_source: 'ℹ️',
  warning: '⚠️',
  clipboard: '📋',
  mag: '🔍',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  no_entry: '⛔',
  tada: '🎉',
  rocket: '🚀',
  eyes: '👀',
  coffee: '☕',
  memo: '📝',
  bulb: '💡',
  fire: '🔥',
  bug: '🐛',
  '+1': '👍',
  thumbsup: '👍',
  '-1': '👎',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  large_blue_circle: '🔵',
  white_circle: '⚪',
  black_circle: '⚫',
  arrows_counterclockwise: '🔄',
  black_square_for_stop: '⏹',
  link: '🔗',
  email: '📧',
  envelope: '✉️',
};

/** @param {string} html */
export function emoji(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);
}

/** @param {string} url @returns {string | null} */
export function safeHref(url) {
  return /^(https?:|mailto:)/i.test(url.trim()) ? url.trim() : null;
}

/**
 * One `<…>` token of Slack text: a link, a user/channel mention, a special mention or a date.
 * @param {string} inner @param {RenderContext} ctx
 */
function angleToken(inner, ctx) {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? '' : inner.slice(bar + 1);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = ctx.users?.[id] ?? (label || id);
    return `<span class="bk-mention" data-user-id="${escapeHtml(id)}">@${escapeHtml(decodeSlackEntities(name))}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = ctx.channels?.[id] ?? (label || id);
    return `<span class="bk-mention bk-channel">#${escapeHtml(decodeSlackEntities(name))}</span>`;
  }
  if (target.startsWith('!')) {
    const special = target.slice(1);
    if (special.startsWith('date^')) {
      const seconds = Number(special.split('^')[1]);
      const title = Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : '';
      return `<time class="bk-date" datetime="${escapeHtml(title)}">${escapeHtml(decodeSlackEntities(label || title))}</time>`;
    }
    if (special.startsWith('subteam^')) {
      return `<span class="bk-mention">${escapeHtml(decodeSlackEntities(label || '@team'))}</span>`;
    }
    const word = special.split('^')[0] ?? special;
    return `<span class="bk-mention bk-special">@${escapeHtml(decodeSlackEntities(label || word))}</span>`;
  }
  const href = safeHref(decodeSlackEntities(target));
  const text = decodeSlackEntities(label || target);
  if (!href) return escapeHtml(`<${decodeSlackEntities(inner)}>`);
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

const OPEN = '(^|[\\s([{"\';~_*>\\uE000])';
const CLOSE = '(?=$|[\\s)\\]}.,;:!?"\'&~_*<\\uE000])';

/** @param {string} html @param {string} mark @param {string} tag */
function emphasis(html, mark, tag) {
  const m = mark === '*' ? '\\*' : mark;
  const re = new RegExp(`${OPEN}${m}(?=[^\\s${m}])([^${m}\\n]*?[^\\s${m}])${m}${CLOSE}`, 'g');
  return html.replace(re, (_all, pre, inner) => `${pre}<${tag}>${inner}</${tag}>`);
}

/** Text without code: links and mentions, then bold, italic, strike, emoji and line breaks. */
/** @param {string} text @param {RenderContext} ctx */
function styled(text, ctx) {
  /** @type {string[]} */
  const tokens = [];
  // U+E000 (private use) marks where a rendered token goes; any in the text itself is dropped.
  const withPlaceholders = text.replace(/\uE000/g, '').replace(/<([^<>\n]+)>/g, (_all, inner) => {
    tokens.push(angleToken(inner, ctx));
    return `\uE000${tokens.length - 1}\uE000`;
  });
  let html = escapeHtml(decodeSlackEntities(withPlaceholders));
  html = emphasis(html, '*', 'strong');
  html = emphasis(html, '_', 'em');
  html = emphasis(html, '~', 'del');
  html = emoji(html).replace(/\n/g, '<br>');
  return html.replace(/\uE000(\d+)\uE000/g, (_all, i) => tokens[Number(i)] ?? '');
}

/** Inline code spans are literal; the rest is styled. @param {string} text @param {RenderContext} ctx */
function inline(text, ctx) {
  return text
    .split(/`([^`\n]+)`/)
    .map((part, i) =>
      i % 2 === 1 ? `<code>${escapeHtml(decodeSlackEntities(part))}</code>` : styled(part, ctx),
    )
    .join('');
}

/** Lines starting with `>` are quotes. @param {string} text @param {RenderContext} ctx */
function paragraphs(text, ctx) {
  const lines = text.split('\n');
  /** @type {string[]} */
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const quoted = /^(>|&gt;)/.test(lines[i] ?? '');
    /** @type {string[]} */
    const group = [];
    while (i < lines.length && /^(>|&gt;)/.test(lines[i] ?? '') === quoted) {
      const line = lines[i] ?? '';
      group.push(quoted ? line.replace(/^(>|&gt;) ?/, '') : line);
      i += 1;
    }
    const html = inline(group.join('\n'), ctx);
    out.push(quoted ? `<blockquote>${html}</blockquote>` : html);
  }
  return out.join('');
}

/**
 * Slack mrkdwn → HTML: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, <url|label>, <@U…>,
 * <#C…>, <!here>, <!date^…|fallback>, :emoji:, and the entities &lt; &gt; &amp;.
 * @param {string} text @param {RenderContext} [ctx]
 */
export function mrkdwn(text, ctx = {}) {
  return String(text ?? '')
    .split(/```([\s\S]*?)```/)
    .map((part, i) =>
      i % 2 === 1
        ? `<pre>${escapeHtml(decodeSlackEntities(part.replace(/^\n/, '')))}</pre>`
        : paragraphs(part, ctx),
    )
    .join('');
}

/** @param {string} what @param {unknown} json */
export function unsupported(what, json) {
  const type = isObject(json) && typeof json.type === 'string' ? json.type : 'unknown';
  return `<div class="bk-unsupported" data-unsupported="${escapeHtml(type)}"><div class="bk-unsupported-title">Unsupported ${escapeHtml(what)}: <code>${escapeHtml(type)}</code></div><pre>${escapeHtml(JSON.stringify(json, null, 2))}</pre></div>`;
}
