/** `views.open`, `views.push`, `views.update`, `views.publish`: trigger ids, the modal stack, hashes. */

import { validateView } from '../block-validation.js';
import { jsonArg, parseArgs, S } from './args.js';
import type { StandInState } from './state.js';
import {
  ApiError,
  clone,
  type Handler,
  isObject,
  type Json,
  VIEW_STACK_LIMIT,
  type ViewRecord,
} from './types.js';
import type { ViewStore } from './view-store.js';

export function viewHandlers(state: StandInState, store: ViewStore): Record<string, Handler> {
  function viewsOpen(args: Json, push: boolean): Json {
    const a = parseArgs(S.viewsOpen, args);
    const view = viewArg(args);
    if (view.type !== 'modal') {
      throw new ApiError('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] must be a valid enum value [json-pointer:/view/type]'] },
      });
    }
    const triggerId = a.trigger_id ?? a.interactivity_pointer;
    if (triggerId === undefined || triggerId === '') throw new ApiError('invalid_arguments');
    const trigger = store.triggers.get(triggerId);
    if (!trigger) throw new ApiError('invalid_trigger_id');
    if (trigger.used) throw new ApiError('exchanged_trigger_id');
    if (state.now() - trigger.createdAt > store.triggerTtlMs) throw new ApiError('expired_trigger_id');
    store.requireUniqueExternalId(view);
    let rec: ViewRecord;
    if (push) {
      const stack = store.modalStacks.get(trigger.userId) ?? [];
      if (stack.length === 0) throw new ApiError('not_found');
      if (stack.length >= VIEW_STACK_LIMIT) throw new ApiError('push_limit_reached');
      trigger.used = true;
      rec = store.pushView(trigger.userId, view);
    } else {
      trigger.used = true;
      const previous = store.modalStacks.get(trigger.userId)?.[0];
      if (previous !== undefined) store.closeView(previous, true);
      rec = store.newView(trigger.userId, 'modal', view, null, null);
      store.modalStacks.set(trigger.userId, [rec.id]);
      state.emit({ kind: 'view.opened', userId: trigger.userId });
    }
    return { view: store.viewOutput(rec) };
  }

  function viewsUpdate(args: Json): Json {
    const a = parseArgs(S.viewsUpdate, args);
    const view = viewArg(args);
    let rec: ViewRecord | undefined;
    if (a.view_id !== undefined && a.view_id !== '') rec = store.views.get(a.view_id);
    else if (a.external_id !== undefined && a.external_id !== '') {
      rec = [...store.views.values()].find((v) => v.externalId === a.external_id);
    } else throw new ApiError('invalid_arguments');
    if (!rec || (rec.kind === 'modal' && !store.isOpen(rec))) throw new ApiError('not_found');
    if (view.type !== rec.kind) throw new ApiError('invalid_arguments');
    if (a.hash !== undefined && a.hash !== '' && a.hash !== rec.hash) throw new ApiError('hash_conflict');
    store.requireUniqueExternalId(view, rec.id);
    store.replaceView(rec, view);
    return { view: store.viewOutput(rec) };
  }

  function viewsPublish(args: Json): Json {
    const a = parseArgs(S.viewsPublish, args);
    const view = viewArg(args);
    if (view.type !== 'home') throw new ApiError('invalid_arguments');
    if (!state.users.has(a.user_id)) throw new ApiError('user_not_found');
    const existingId = store.homeViews.get(a.user_id);
    const existing = existingId === undefined ? undefined : store.views.get(existingId);
    if (existing && a.hash !== undefined && a.hash !== '' && a.hash !== existing.hash) {
      throw new ApiError('hash_conflict');
    }
    let rec: ViewRecord;
    if (existing) {
      store.replaceView(existing, view);
      rec = existing;
    } else {
      rec = store.newView(a.user_id, 'home', view, null, null);
      store.homeViews.set(a.user_id, rec.id);
    }
    state.emit({ kind: 'home.published', userId: a.user_id });
    return { view: store.viewOutput(rec) };
  }

  return {
    'views.open': (args) => viewsOpen(args, false),
    'views.push': (args) => viewsOpen(args, true),
    'views.update': viewsUpdate,
    'views.publish': viewsPublish,
  };
}

/** The `view` argument, parsed and checked against Slack's Block Kit limits. */
function viewArg(args: Json): Json {
  const view = jsonArg(args, 'view', 'invalid_arguments');
  if (view === undefined) {
    throw new ApiError('invalid_arguments', {
      response_metadata: { messages: ['[ERROR] missing required field: view [json-pointer:/view]'] },
    });
  }
  const errors = validateView(view);
  if (errors.length > 0 || !isObject(view)) {
    throw new ApiError('invalid_arguments', { response_metadata: { messages: errors } });
  }
  return clone(view);
}
