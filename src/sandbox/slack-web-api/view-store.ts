/**
 * Modals and Home tabs the stand-in holds: each user's modal stack, published Home views, trigger ids,
 * and the view shape Slack returns (ids, hashes, `state.values`, root and previous view ids).
 */

import { randomBytes } from 'node:crypto';
import { validateView } from '../block-validation.js';
import type { StandInState } from './state.js';
import { ApiError, clone, isObject, type Json, type StandInView, type ViewRecord } from './types.js';

export interface Trigger {
  userId: string;
  createdAt: number;
  used: boolean;
}

export class ViewStore {
  readonly views = new Map<string, ViewRecord>();
  readonly modalStacks = new Map<string, string[]>();
  readonly homeViews = new Map<string, string>();
  readonly triggers = new Map<string, Trigger>();

  constructor(
    private readonly state: StandInState,
    readonly triggerTtlMs: number,
  ) {}

  createTriggerId(userId: string): string {
    const now = this.state.now();
    const id = `${Math.floor(now / 1000)}.${this.state.nextId()}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, { userId, createdAt: now, used: false });
    return id;
  }

  openedViews(): Array<{ id: string; userId: string; view: Record<string, unknown> }> {
    const out: Array<{ id: string; userId: string; view: Record<string, unknown> }> = [];
    for (const [userId, stack] of this.modalStacks) {
      for (const id of stack) {
        const rec = this.views.get(id);
        if (rec) out.push({ id, userId, view: this.viewOutput(rec) });
      }
    }
    return out;
  }

  homeView(userId: string): Record<string, unknown> | undefined {
    const id = this.homeViews.get(userId);
    const rec = id === undefined ? undefined : this.views.get(id);
    return rec ? this.viewOutput(rec) : undefined;
  }

  view(viewId: string): StandInView | undefined {
    const rec = this.views.get(viewId);
    if (!rec) return undefined;
    if (rec.kind === 'modal' && !this.isOpen(rec)) return undefined;
    return { id: rec.id, userId: rec.userId, kind: rec.kind, view: this.viewOutput(rec) };
  }

  /** See `SlackWebApiStandIn.resolveViewSubmission`. */
  resolveViewSubmission(viewId: string, ack: unknown): { closed: boolean; errors: string[] } {
    const rec = this.views.get(viewId);
    if (rec?.kind !== 'modal' || !this.isOpen(rec)) throw new Error(`view ${viewId} is not open`);
    const action = isObject(ack) ? ack.response_action : undefined;
    if (action === 'errors') return { closed: false, errors: [] };
    if (action === 'update' || action === 'push') {
      const view = isObject(ack) ? ack.view : undefined;
      const errors = validateView(view);
      if (errors.length > 0 || !isObject(view)) return { closed: false, errors };
      if (action === 'update') this.replaceView(rec, view);
      else this.pushView(rec.userId, view);
      return { closed: false, errors: [] };
    }
    this.closeView(viewId, action === 'clear');
    return { closed: true, errors: [] };
  }

  /** Closes a modal (and the views stacked on it); `all` closes the user's whole stack. */
  closeView(viewId: string, all = false): void {
    const rec = this.views.get(viewId);
    if (!rec) return;
    const stack = this.modalStacks.get(rec.userId) ?? [];
    const at = stack.indexOf(viewId);
    if (at < 0) return;
    const remaining = all ? [] : stack.slice(0, at);
    if (remaining.length === 0) this.modalStacks.delete(rec.userId);
    else this.modalStacks.set(rec.userId, remaining);
    this.state.emit({ kind: 'view.closed', userId: rec.userId });
  }

  newView(
    userId: string,
    kind: 'modal' | 'home',
    input: Json,
    rootViewId: string | null,
    previousViewId: string | null,
  ): ViewRecord {
    const id = `V${String(this.state.nextId()).padStart(8, '0')}`;
    const rec: ViewRecord = {
      id,
      userId,
      kind,
      input,
      hash: this.state.newHash(),
      externalId:
        typeof input.external_id === 'string' && input.external_id !== '' ? input.external_id : undefined,
      rootViewId: rootViewId ?? id,
      previousViewId,
      state: {},
    };
    this.views.set(id, rec);
    return rec;
  }

  pushView(userId: string, view: Json): ViewRecord {
    const stack = this.modalStacks.get(userId) ?? [];
    const top = stack.at(-1);
    const root = stack[0];
    const rec = this.newView(userId, 'modal', view, root ?? null, top ?? null);
    this.modalStacks.set(userId, [...stack, rec.id]);
    this.state.emit({ kind: 'view.pushed', userId });
    return rec;
  }

  replaceView(rec: ViewRecord, view: Json): void {
    rec.input = clone(view);
    rec.hash = this.state.newHash();
    rec.externalId =
      typeof view.external_id === 'string' && view.external_id !== '' ? view.external_id : undefined;
    // Slack keeps entered input for input blocks whose block_id/action_id survive the update.
    const kept: Record<string, Record<string, unknown>> = {};
    for (const b of Array.isArray(view.blocks) ? view.blocks : []) {
      if (!isObject(b) || typeof b.block_id !== 'string') continue;
      const state = rec.state[b.block_id];
      if (state) kept[b.block_id] = state;
    }
    rec.state = kept;
    this.state.emit({ kind: rec.kind === 'home' ? 'home.published' : 'view.updated', userId: rec.userId });
  }

  isOpen(rec: ViewRecord): boolean {
    return this.modalStacks.get(rec.userId)?.includes(rec.id) ?? false;
  }

  requireUniqueExternalId(view: Json, selfId?: string): void {
    const ext = view.external_id;
    if (typeof ext !== 'string' || ext === '') return;
    for (const v of this.views.values()) {
      if (v.externalId === ext && v.id !== selfId) throw new ApiError('duplicate_external_id');
    }
  }

  viewOutput(rec: ViewRecord): Json {
    const v = rec.input;
    const str = (key: string) => (typeof v[key] === 'string' ? v[key] : '');
    return clone({
      id: rec.id,
      team_id: this.state.teamId,
      type: rec.kind,
      blocks: Array.isArray(v.blocks) ? v.blocks : [],
      private_metadata: str('private_metadata'),
      callback_id: str('callback_id'),
      state: { values: rec.state },
      hash: rec.hash,
      title: v.title ?? { type: 'plain_text', text: 'View Title' },
      clear_on_close: v.clear_on_close === true,
      notify_on_close: v.notify_on_close === true,
      close: v.close ?? null,
      submit: v.submit ?? null,
      previous_view_id: rec.previousViewId,
      root_view_id: rec.rootViewId,
      app_id: this.state.appId,
      external_id: rec.externalId ?? '',
      app_installed_team_id: this.state.teamId,
      bot_id: this.state.botId,
    });
  }
}
