import type { Answer, Ctx, Router } from './http.js';
import { notFound } from './http.js';
import type { Repo, StandInState } from './state.js';

/** What every route family gets: the shared state, the router, and the stand-in's settings. */
export interface RouteContext {
  state: StandInState;
  router: Router;
  config: {
    searchLag: boolean;
    rejectUnknownLabels: boolean;
    /** How workflow dispatch treats `return_run_details` (see routes-actions.ts). */
    runDetails: 'supported' | 'ignored' | 'rejected';
  };
  /** Issues visible to search (GitHub's index lags behind writes). */
  searchIndex: Set<object>;
}

/** A repo-scoped handler: 404 like GitHub when the repo is unknown. */
export function inRepo(rc: RouteContext, handler: (ctx: Ctx, repo: Repo) => Answer): (ctx: Ctx) => Answer {
  return (ctx) => {
    const repo = rc.state.repo(ctx.params);
    return repo ? handler(ctx, repo) : notFound();
  };
}
