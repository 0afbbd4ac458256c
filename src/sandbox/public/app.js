/**
 * The sandbox page: a small Slack client for the local workspace. It shows what the server's state
 * endpoint says one person sees, re-fetches it whenever the server says something changed (server-sent
 * events, with polling as a fallback), and turns clicks, submissions and typed messages into calls to the
 * sandbox API — which sends the bot the same signed requests Slack would.
 */
import { askConfirm, openMenu, toast } from './dialogs.js';
import { renderMail } from './mail-view.js';
import { readControls, showClientErrors, writeControls } from './modal-form.js';
import { escapeHtml, mrkdwn, renderBlocks, renderModal } from './render-blocks.js';
import { isMissing, REQUIRED_MESSAGE, stateValue } from './view-state.js';

/** @typedef {Record<string, any>} Json */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const ui = {
  /** @type {string | null} */ me: localStorage.getItem('sandbox.user'),
  /** @type {{ kind: 'channel', channel: string } | { kind: 'home' | 'outbox' | 'issues' | 'problems' }} */
  view: { kind: 'channel', channel: 'C0ENG' },
  /** @type {{ channel: string, ts: string } | null} */ thread: null,
  /** @type {Json | null} */ state: null,
  /** @type {Set<number>} */ dismissed: new Set(),
  /** @type {string | null} */ modalKey: null,
  /** `response_action: errors` of this page's last submission; never from the server, so a reload shows none. */
  /** @type {{ id: string, hash: string, errors: Record<string, string> } | null} */ modalErrors: null,
  /** @type {Json[]} */ issues: [],
  /** @type {Json[]} */ outbox: [],
  outboxDir: '',
  /** @type {string | null} */ openMail: null,
  /** @type {Json | null} */ mail: null,
  live: false,
};

// ------------------------------------------------------------------ server calls

/** @param {string} path @param {Json} [body] */
async function api(path, body) {
  const res = await fetch(`/sandbox/api/${path}`, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  /** @type {Json} */
  let json = {};
  try {
    json = await res.json();
  } catch {
    json = { ok: false, error: `HTTP ${res.status}` };
  }
  if (!res.ok && json.ok !== false) json = { ok: false, error: `HTTP ${res.status}` };
  return json;
}

/** Sends an action and reports what Slack would show when it fails. @param {string} path @param {Json} body */
async function act(path, body) {
  const result = await api(path, body);
  // A click on a card that changed meanwhile is not an error to the person: Slack shows the new card.
  if (result.stale === true) void refresh();
  else if (result.ok === false) toast(String(result.error ?? 'Something went wrong'), 'error');
  return result;
}

let refreshing = false;
let refreshAgain = false;

async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      const user = ui.me ?? 'U0LENA';
      const [state, issues, outbox] = await Promise.all([
        api(`state?user=${encodeURIComponent(user)}`),
        api('issues'),
        api('outbox'),
      ]);
      if (state.ok === false) {
        // A stale saved user: fall back to the first person.
        if (ui.me !== null) {
          ui.me = null;
          refreshAgain = true;
          continue;
        }
        throw new Error(String(state.error));
      }
      ui.state = state;
      if (ui.me === null)
        ui.me = state.people.find((/** @type {Json} */ p) => p.approver)?.id ?? state.people[0]?.id;
      ui.issues = Array.isArray(issues.issues) ? issues.issues : [];
      ui.outbox = Array.isArray(outbox.messages) ? outbox.messages : [];
      ui.outboxDir = typeof outbox.dir === 'string' ? outbox.dir : '';
      render();
    } while (refreshAgain);
  } catch (err) {
    toast(`Could not load the workspace: ${err instanceof Error ? err.message : String(err)}`, 'error');
  } finally {
    refreshing = false;
  }
}

function connectLive() {
  const source = new EventSource('/sandbox/events');
  source.addEventListener('change', () => {
    ui.live = true;
    setLive();
    void refresh();
  });
  source.onerror = () => {
    ui.live = false;
    setLive();
  };
  // Polling as a fallback while the event stream is down.
  setInterval(() => {
    if (!ui.live) void refresh();
  }, 3000);
}

function setLive() {
  const el = $('live');
  el.textContent = ui.live ? '● live' : '● reconnecting';
  el.classList.toggle('live-on', ui.live);
}

// ------------------------------------------------------------------ rendering helpers

/** Names for mentions and users_select: the people, and the bot. */
function renderContext() {
  const s = ui.state;
  /** @type {Record<string, string>} */
  const users = {};
  for (const p of s?.people ?? []) users[p.id] = p.realName;
  if (s?.bot) users[s.bot.id] = s.bot.name;
  /** @type {Record<string, string>} */
  const channels = {};
  for (const c of s?.channels ?? []) channels[c.id] = c.name;
  return { users, channels };
}

/** @param {string} ts */
function timeOf(ts) {
  const d = new Date(Number(ts.split('.')[0]) * 1000);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** @param {string} id */
function avatarClass(id) {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 8;
  return `avatar avatar-${h}`;
}

/** @param {string | undefined} userId */
function author(userId) {
  const s = ui.state;
  if (s && userId === s.bot.id) return { name: s.bot.name, bot: true, initial: '🤖' };
  const p = s?.people.find((/** @type {Json} */ x) => x.id === userId);
  const name = p?.realName ?? userId ?? 'unknown';
  return { name, bot: false, initial: name.charAt(0).toUpperCase() };
}

/** Sandbox-only note under a card whose dry-run issue exists: a link to it. @param {Json} m @param {string} channel */
function dryRunNote(m, channel) {
  const issue = ui.issues.find((i) => i.channelId === channel && i.messageTs === m.ts);
  if (!issue) return '';
  return `<div class="sandbox-note" data-testid="dry-run-link">Sandbox: <a href="#issue-${escapeHtml(issue.stepId)}" data-issue="${escapeHtml(issue.stepId)}">dry-run issue “${escapeHtml(issue.title)}” in ${escapeHtml(issue.repo)} →</a></div>`;
}

/**
 * One message (or ephemeral) with its author, time, content and tools.
 * @param {Json} m @param {string} channel @param {{ inThread: boolean, replies?: Json[] }} opts
 */
function messageHtml(m, channel, opts) {
  const who = author(m.user);
  const content =
    Array.isArray(m.blocks) && m.blocks.length > 0
      ? renderBlocks(m.blocks, { ...renderContext(), surface: 'message' })
      : `<div class="msg-text">${mrkdwn(m.text, renderContext())}</div>`;
  const replies = opts.replies ?? [];
  const replyBar =
    !opts.inThread && replies.length > 0
      ? `<button type="button" class="reply-bar" data-open-thread="${escapeHtml(m.ts)}">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'} <span class="reply-last">Last reply ${timeOf(replies[replies.length - 1]?.ts ?? m.ts)}</span></button>`
      : '';
  const tools = `<div class="msg-tools">${opts.inThread ? '' : `<button type="button" class="icon-btn" data-reply="${escapeHtml(m.ts)}" title="Reply in thread">💬</button>`}<button type="button" class="icon-btn" data-copy-link title="Copy link">🔗</button><button type="button" class="icon-btn" data-more title="More actions" aria-label="More actions">⋮</button></div>`;
  return `<div class="msg${who.bot ? ' msg-bot' : ''}" data-channel="${escapeHtml(channel)}" data-ts="${escapeHtml(m.ts)}" data-permalink="${escapeHtml(m.permalink)}" data-testid="message"><div class="${who.bot ? 'avatar avatar-bot' : avatarClass(m.user ?? '')}">${escapeHtml(who.initial)}</div><div class="msg-body"><div class="msg-meta"><span class="msg-author">${escapeHtml(who.name)}</span>${who.bot ? '<span class="app-badge">APP</span>' : ''}<time>${timeOf(m.ts)}</time>${m.edited ? '<span class="edited">(edited)</span>' : ''}</div><div class="msg-content">${content}</div>${dryRunNote(m, channel)}${replyBar}</div>${tools}</div>`;
}

/** @param {Json} e */
function ephemeralHtml(e) {
  const content =
    Array.isArray(e.blocks) && e.blocks.length > 0
      ? renderBlocks(e.blocks, { ...renderContext(), surface: 'message' })
      : `<div class="msg-text">${mrkdwn(e.text, renderContext())}</div>`;
  return `<div class="msg msg-bot msg-ephemeral" data-ephemeral-id="${e.id}" data-testid="ephemeral"><div class="avatar avatar-bot">🤖</div><div class="msg-body"><div class="msg-meta"><span class="msg-author">Orchestrator</span><span class="app-badge">APP</span><time>${timeOf(e.ts)}</time><span class="only-you">Only visible to you</span></div><div class="msg-content">${content}</div><button type="button" class="link-btn" data-dismiss="${e.id}">Dismiss</button></div></div>`;
}

/** Messages and ephemerals, merged in time order. @param {Json[]} messages @param {Json[]} ephemerals */
function timeline(messages, ephemerals) {
  return [
    ...messages.map((m) => ({ kind: 'm', ts: m.ts, item: m })),
    ...ephemerals.map((e) => ({ kind: 'e', ts: e.ts, item: e })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
}

/** Renders into `el`, keeping the scroll at the bottom when it was there. @param {HTMLElement} el @param {string} html */
function setHtml(el, html) {
  if (el.dataset.html === html) return;
  const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  el.innerHTML = html;
  el.dataset.html = html;
  if (atBottom) el.scrollTop = el.scrollHeight;
}

// ------------------------------------------------------------------ rendering

function render() {
  const s = ui.state;
  if (!s) return;
  renderSwitcher(s);
  renderSidebar(s);
  for (const kind of ['channel', 'home', 'outbox', 'issues', 'problems']) {
    $(`${kind}-pane`).hidden = ui.view.kind !== kind;
  }
  if (ui.view.kind === 'channel') renderChannel(s, ui.view.channel);
  if (ui.view.kind === 'home') renderHome(s);
  if (ui.view.kind === 'outbox') renderOutbox();
  if (ui.view.kind === 'issues') renderIssues();
  if (ui.view.kind === 'problems') renderProblems(s);
  renderThread(s);
  renderModalLayer(s);
}

/** @param {Json} s */
function renderSwitcher(s) {
  const select = /** @type {HTMLSelectElement} */ ($('user-switcher'));
  const html = s.people
    .map(
      (/** @type {Json} */ p) =>
        `<option value="${escapeHtml(p.id)}"${p.id === ui.me ? ' selected' : ''}>${escapeHtml(p.realName)}${p.approver && !s.everyoneApproves ? ' — approver' : ''}</option>`,
    )
    .join('');
  if (select.dataset.html !== html) {
    select.innerHTML = html;
    select.dataset.html = html;
  }
  select.value = ui.me ?? '';
}

/** @param {Json} s */
function renderSidebar(s) {
  const list = s.channels
    .map(
      (/** @type {Json} */ c) =>
        `<li><button type="button" class="nav-item${ui.view.kind === 'channel' && ui.view.channel === c.id ? ' active' : ''}" data-channel-id="${escapeHtml(c.id)}"># ${escapeHtml(c.name)}</button></li>`,
    )
    .join('');
  setHtml($('channel-list'), list);
  for (const b of document.querySelectorAll('[data-nav]')) {
    b.classList.toggle('active', ui.view.kind === /** @type {HTMLElement} */ (b).dataset.nav);
  }
  $('count-outbox').textContent = ui.outbox.length ? String(ui.outbox.length) : '';
  $('count-issues').textContent = ui.issues.length ? String(ui.issues.length) : '';
  $('count-problems').textContent = s.problems.length ? String(s.problems.length) : '';
  $('count-problems').classList.toggle('count-alert', s.problems.length > 0);
}

/** @param {Json} s @param {string} channel */
function renderChannel(s, channel) {
  const c = s.channels.find((/** @type {Json} */ x) => x.id === channel);
  $('channel-title').textContent = `# ${c?.name ?? channel}`;
  /** @type {HTMLTextAreaElement} */ ($('composer-input')).placeholder =
    `Message #${c?.name ?? ''} — try /extract <thread link>, or @Orchestrator extract in a thread`;
  const all = s.messages[channel] ?? [];
  const top = all.filter((/** @type {Json} */ m) => !m.threadTs || m.threadTs === m.ts);
  const eph = s.ephemerals.filter(
    (/** @type {Json} */ e) => e.channel === channel && !e.threadTs && !ui.dismissed.has(e.id),
  );
  const html = timeline(top, eph)
    .map((x) =>
      x.kind === 'm'
        ? messageHtml(x.item, channel, {
            inThread: false,
            replies: all.filter((/** @type {Json} */ r) => r.threadTs === x.item.ts && r.ts !== x.item.ts),
          })
        : ephemeralHtml(x.item),
    )
    .join('');
  setHtml(
    $('messages'),
    html ||
      '<div class="empty">No messages yet. Post one below, or press <b>Load sample discussion</b> to get a thread to extract tasks from.</div>',
  );
}

/** @param {Json} s */
function renderThread(s) {
  const pane = $('thread-pane');
  const t = ui.thread;
  if (!t || ui.view.kind !== 'channel' || ui.view.channel !== t.channel) {
    pane.hidden = true;
    return;
  }
  pane.hidden = false;
  const all = s.messages[t.channel] ?? [];
  const items = all.filter((/** @type {Json} */ m) => m.ts === t.ts || m.threadTs === t.ts);
  const eph = s.ephemerals.filter(
    (/** @type {Json} */ e) => e.channel === t.channel && e.threadTs === t.ts && !ui.dismissed.has(e.id),
  );
  const c = s.channels.find((/** @type {Json} */ x) => x.id === t.channel);
  $('thread-channel').textContent = `# ${c?.name ?? ''}`;
  setHtml(
    $('thread-messages'),
    timeline(items, eph)
      .map((x) =>
        x.kind === 'm' ? messageHtml(x.item, t.channel, { inThread: true }) : ephemeralHtml(x.item),
      )
      .join(''),
  );
}

/** @param {Json} s */
function renderHome(s) {
  const html = s.home
    ? renderBlocks(s.home.blocks, { ...renderContext(), surface: 'home' })
    : '<div class="empty">The app has not published a Home tab for you yet (it does when you open this tab).</div>';
  setHtml($('home'), html);
}

function renderOutbox() {
  $('outbox-dir').textContent = ui.outboxDir;
  const list = ui.outbox
    .map(
      (m) =>
        `<button type="button" class="list-item${ui.openMail === m.name ? ' active' : ''}" data-mail="${escapeHtml(m.name)}" data-testid="outbox-item"><b>${escapeHtml(m.subject)}</b><span>to ${escapeHtml(m.to)} · ${escapeHtml(new Date(m.modified).toLocaleString())}</span></button>`,
    )
    .join('');
  setHtml(
    $('outbox'),
    (list ||
      '<div class="empty">No emails yet. Execute an approved task: its email is written here as an .eml file.</div>') +
      (ui.mail ? renderMail(ui.mail) : ''),
  );
}

function renderIssues() {
  const html = ui.issues
    .map(
      (i) =>
        `<article class="issue" id="issue-${escapeHtml(i.stepId)}" data-testid="issue"><header><span class="issue-repo">${escapeHtml(i.repo)}</span><h3>${escapeHtml(i.title)}</h3><span class="issue-meta">dry run · ${escapeHtml(new Date(i.createdAt).toLocaleString())} · <a href="#" data-show-card="${escapeHtml(i.channelId)}|${escapeHtml(i.messageTs ?? '')}">show the task card</a></span></header><pre class="issue-body">${escapeHtml(i.body)}</pre></article>`,
    )
    .join('');
  setHtml(
    $('issues'),
    html || '<div class="empty">No dry-run issues yet. Approve a task and press Execute.</div>',
  );
}

/** @param {Json} s */
function renderProblems(s) {
  const html = s.problems
    .map(
      (/** @type {Json} */ p) =>
        `<article class="problem"><header><b>${escapeHtml(p.summary)}</b><span>${escapeHtml(p.source)} · ${escapeHtml(new Date(p.at).toLocaleTimeString())}</span></header>${p.details.length ? `<pre>${escapeHtml(p.details.join('\n'))}</pre>` : ''}</article>`,
    )
    .join('');
  setHtml(
    $('problems'),
    html ||
      '<div class="empty">Nothing so far: every call the bot made is one real Slack would accept.</div>',
  );
}

// ------------------------------------------------------------------ modal

/** @param {Json} s */
function renderModalLayer(s) {
  const layer = $('modal-layer');
  const modal = s.modal;
  if (!modal) {
    layer.hidden = true;
    layer.innerHTML = '';
    ui.modalKey = null;
    return;
  }
  const kept = ui.modalErrors;
  const errors = kept && kept.id === modal.id && kept.hash === modal.view.hash ? kept.errors : {};
  const key = `${modal.id}|${modal.view.hash}|${JSON.stringify(errors)}`;
  if (key === ui.modalKey && !layer.hidden) return;
  const old = /** @type {HTMLElement | null} */ (layer.querySelector('form'));
  const typed = old && old.dataset.viewId === modal.id ? readControls(old) : null;
  layer.innerHTML = renderModal(modal.view, { ...renderContext(), surface: 'modal', errors });
  const form = /** @type {HTMLElement} */ (layer.querySelector('form'));
  if (typed) writeControls(form, typed);
  layer.hidden = false;
  ui.modalKey = key;
  if (!typed) /** @type {HTMLElement | null} */ (form.querySelector('input, textarea, select'))?.focus();
}

/** The element JSON of an input block of the open modal. @param {string} blockId */
function inputElementOf(blockId) {
  const blocks = ui.state?.modal?.view.blocks ?? [];
  return blocks.find((/** @type {Json} */ b) => b.block_id === blockId)?.element;
}

/** @param {HTMLFormElement} form */
async function submitModal(form) {
  const viewId = form.dataset.viewId ?? '';
  const controls = readControls(form);
  /** @type {Record<string, Record<string, unknown>>} */
  const values = {};
  /** @type {Record<string, string>} */
  const missing = {};
  for (const [blockId, { actionId, raw }] of Object.entries(controls)) {
    const element = inputElementOf(blockId);
    if (!element) continue;
    const block = ui.state?.modal?.view.blocks.find((/** @type {Json} */ b) => b.block_id === blockId);
    if (block?.optional !== true && isMissing(element, raw)) missing[blockId] = REQUIRED_MESSAGE;
    const value = stateValue(element, raw);
    if (value) values[blockId] = { [actionId]: value };
  }
  showClientErrors(form, missing);
  if (Object.keys(missing).length > 0) return;
  const submit = /** @type {HTMLButtonElement | null} */ (form.querySelector('[data-modal-submit]'));
  if (submit) submit.disabled = true;
  const hash = String(ui.state?.modal?.view.hash ?? '');
  try {
    const result = await act('submit', { user: ui.me, viewId, values });
    ui.modalErrors =
      result.responseAction === 'errors' ? { id: viewId, hash, errors: result.errors ?? {} } : null;
  } finally {
    if (submit) submit.disabled = false;
  }
  await refresh();
}

// ------------------------------------------------------------------ links

/** @param {string} link */
async function copyLink(link) {
  try {
    await navigator.clipboard.writeText(link);
    toast('Link copied. Paste it after /extract.');
  } catch {
    toast(`Link: ${link}`);
  }
}

// ------------------------------------------------------------------ actions

/**
 * A click or choice on an interactive element of a message or the Home tab.
 * @param {HTMLElement} el @param {string | undefined} value @param {string[]} [values] ticked checkboxes
 */
async function elementAction(el, value, values) {
  const confirm = el.dataset.confirm ? JSON.parse(el.dataset.confirm) : null;
  if (confirm && !(await askConfirm(confirm, renderContext()))) return;
  if (el.dataset.url) window.open(el.dataset.url, '_blank', 'noopener');
  const actionId = el.dataset.actionId ?? '';
  const blockId = el.dataset.blockId || undefined;
  const msg = /** @type {HTMLElement | null} */ (el.closest('[data-ts]'));
  if (msg) {
    await act('action', {
      surface: 'message',
      user: ui.me,
      channel: msg.dataset.channel,
      messageTs: msg.dataset.ts,
      actionId,
      blockId,
      ...(value !== undefined ? { value } : {}),
      ...(values !== undefined ? { values } : {}),
    });
  } else if (el.closest('[data-surface="home"]')) {
    await act('action', {
      surface: 'home',
      user: ui.me,
      actionId,
      ...(value !== undefined ? { value } : {}),
      ...(values !== undefined ? { values } : {}),
    });
  } else {
    toast(
      'This element is shown, but clicks on it are not sent in the sandbox (only message and Home elements are).',
      'error',
    );
  }
}

/** A message typed in a composer: a slash command, or a message (which may mention the bot). @param {string} text @param {string} channel @param {string | undefined} threadTs */
async function send(text, channel, threadTs) {
  const trimmed = text.trim();
  if (!trimmed) return true;
  const cmd = /^(\/[\w-]+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  const result = cmd
    ? await act('command', { user: ui.me, channel, command: cmd[1], text: (cmd[2] ?? '').trim() })
    : await act('message', { user: ui.me, channel, text: trimmed, ...(threadTs ? { threadTs } : {}) });
  return result.ok !== false;
}

/** @param {Json['view']} view */
function navigate(view) {
  ui.view = view;
  $('menu').hidden = true;
  render();
  if (view.kind === 'home') void act('home', { user: ui.me });
}

function wire() {
  document.addEventListener('click', (e) => {
    const t = /** @type {HTMLElement} */ (e.target);
    if (!t.closest('#menu') && !t.closest('[data-more]')) $('menu').hidden = true;

    const nav = /** @type {HTMLElement | null} */ (t.closest('[data-nav]'));
    if (nav) return navigate({ kind: /** @type {any} */ (nav.dataset.nav) });
    const ch = /** @type {HTMLElement | null} */ (t.closest('[data-channel-id]'));
    if (ch) return navigate({ kind: 'channel', channel: ch.dataset.channelId ?? '' });

    const button = /** @type {HTMLElement | null} */ (t.closest('button[data-bk-action]'));
    if (button && !t.closest('#modal-layer')) {
      void elementAction(button, button.dataset.value);
      return;
    }
    const open = /** @type {HTMLElement | null} */ (t.closest('[data-open-thread],[data-reply]'));
    if (open) {
      const msg = /** @type {HTMLElement} */ (open.closest('[data-ts]'));
      ui.thread = {
        channel: msg.dataset.channel ?? '',
        ts: open.dataset.openThread ?? open.dataset.reply ?? '',
      };
      render();
      $('thread-input').focus();
      return;
    }
    if (t.closest('#thread-close')) {
      ui.thread = null;
      render();
      return;
    }
    const copy = t.closest('[data-copy-link]');
    if (copy)
      return void copyLink(/** @type {HTMLElement} */ (copy.closest('[data-ts]')).dataset.permalink ?? '');
    const more = /** @type {HTMLElement | null} */ (t.closest('[data-more]'));
    if (more) {
      const msg = /** @type {HTMLElement} */ (more.closest('[data-ts]'));
      const shortcuts = (ui.state?.shortcuts ?? []).map((/** @type {Json} */ sc) => ({
        label: `${sc.name} (Orchestrator)`,
        run: () =>
          void act('shortcut', {
            user: ui.me,
            channel: msg.dataset.channel,
            messageTs: msg.dataset.ts,
            callbackId: sc.callbackId,
          }),
      }));
      openMenu(more, [
        ...shortcuts,
        { label: 'Copy link', run: () => void copyLink(msg.dataset.permalink ?? '') },
      ]);
      return;
    }
    const dismiss = /** @type {HTMLElement | null} */ (t.closest('[data-dismiss]'));
    if (dismiss) {
      ui.dismissed.add(Number(dismiss.dataset.dismiss));
      render();
      return;
    }
    const mail = /** @type {HTMLElement | null} */ (t.closest('[data-mail]'));
    if (mail) return void showMail(mail.dataset.mail ?? '');
    const issue = /** @type {HTMLElement | null} */ (t.closest('[data-issue]'));
    if (issue) {
      e.preventDefault();
      navigate({ kind: 'issues' });
      document.getElementById(`issue-${issue.dataset.issue}`)?.scrollIntoView();
      return;
    }
    const slackLink = /** @type {HTMLAnchorElement | null} */ (t.closest('a[href]'));
    const target = slackLink ? workspaceLink(slackLink.href) : null;
    if (target) {
      e.preventDefault();
      showCard(target);
      return;
    }
    const card = /** @type {HTMLElement | null} */ (t.closest('[data-show-card]'));
    if (card) {
      e.preventDefault();
      showCard(card.dataset.showCard ?? '');
      return;
    }
    if (t.closest('[data-modal-close]')) {
      const form = /** @type {HTMLElement} */ (t.closest('form'));
      void act('close', { user: ui.me, viewId: form.dataset.viewId }).then(refresh);
    }
  });

  document.addEventListener('change', (e) => {
    const t = /** @type {HTMLElement} */ (e.target);
    if (t.id === 'user-switcher') {
      ui.me = /** @type {HTMLSelectElement} */ (t).value;
      localStorage.setItem('sandbox.user', ui.me);
      ui.dismissed.clear();
      ui.modalKey = null;
      void refresh().then(() => {
        if (ui.view.kind === 'home') void act('home', { user: ui.me });
      });
      return;
    }
    const el = /** @type {HTMLElement | null} */ (t.closest('[data-bk-action]'));
    if (el instanceof HTMLDivElement && !t.closest('#modal-layer') && t instanceof HTMLInputElement) {
      // Checkboxes and radio buttons in a message or Home: Slack sends what is ticked after the click.
      const ticked = [...el.querySelectorAll('input:checked')].map(
        (i) => /** @type {HTMLInputElement} */ (i).value,
      );
      void elementAction(el, el.dataset.bkAction === 'radio_buttons' ? t.value : undefined, ticked);
      return;
    }
    if (
      el &&
      !t.closest('#modal-layer') &&
      (el instanceof HTMLSelectElement || el instanceof HTMLInputElement) &&
      el.value
    ) {
      void elementAction(el, el.value);
    }
  });

  $('modal-layer').addEventListener('submit', (e) => {
    e.preventDefault();
    void submitModal(/** @type {HTMLFormElement} */ (e.target));
  });

  /** @param {string} formId @param {string} inputId @param {() => { channel: string, threadTs?: string }} where */
  const composer = (formId, inputId, where) => {
    const form = $(formId);
    const input = /** @type {HTMLTextAreaElement} */ ($(inputId));
    const submit = async () => {
      const w = where();
      if (await send(input.value, w.channel, w.threadTs)) input.value = '';
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void submit();
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        void submit();
      }
    });
  };
  composer('composer', 'composer-input', () => ({
    channel: ui.view.kind === 'channel' ? ui.view.channel : 'C0ENG',
  }));
  composer('thread-composer', 'thread-input', () => ({
    channel: ui.thread?.channel ?? 'C0ENG',
    threadTs: ui.thread?.ts,
  }));

  $('load-sample').addEventListener('click', async () => {
    const channel = ui.view.kind === 'channel' ? ui.view.channel : 'C0ENG';
    const result = await act('sample', { user: ui.me, channel });
    if (result.ok === false) return;
    const input = /** @type {HTMLTextAreaElement} */ ($('composer-input'));
    input.value = `/extract ${result.permalink}`;
    input.focus();
    toast('Sample discussion posted as a thread. Press Enter to run /extract on it.');
  });

  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    $('menu').hidden = true;
  });
}

/** @param {string} name */
async function showMail(name) {
  ui.openMail = name;
  ui.mail = await api(`outbox-message?name=${encodeURIComponent(name)}`);
  renderOutbox();
}

/**
 * A link to a message of this workspace (a permalink on a card or in Home) opens it here instead.
 * @param {string} href @returns {string | null} channel|messageTs
 */
function workspaceLink(href) {
  const domain = ui.state?.team.domain ?? 'sandbox';
  const m = new RegExp(`^https://${domain}\\.slack\\.com/archives/([CGD][A-Z0-9]+)/p(\\d{10})(\\d{6})`).exec(
    href,
  );
  return m ? `${m[1]}|${m[2]}.${m[3]}` : null;
}

/** @param {string} ref channel|messageTs */
function showCard(ref) {
  const [channel = '', ts = ''] = ref.split('|');
  const msg = ui.state?.messages[channel]?.find((/** @type {Json} */ m) => m.ts === ts);
  if (!msg) return toast('The card is no longer in the workspace.', 'error');
  const root = msg.threadTs ?? msg.ts;
  const hasThread = ui.state?.messages[channel]?.some(
    (/** @type {Json} */ m) => m.threadTs === root && m.ts !== root,
  );
  ui.thread = hasThread ? { channel, ts: root } : null;
  navigate({ kind: 'channel', channel });
  document.querySelector(`.msg[data-ts="${CSS.escape(ts)}"]`)?.scrollIntoView({ block: 'center' });
}

wire();
void refresh();
connectLive();
