import type { Stall } from '../stall.js';
import { type Answer, DOCS, defaultMessage } from './http.js';

/**
 * Faults the test arms on any route, the same way for every route family: a status answer
 * (`failNext`), a request never answered or trickled out (`stallNext`). A route is matched by
 * its template ('PUT /repos/:owner/:repo/pulls/:number/merge'), '*', a RegExp tested against
 * "METHOD /path", or a predicate over the recorded request.
 */

export interface RecordedRequest {
  method: string;
  /** Path without query. */
  path: string;
  query: Record<string, string>;
  /** Route template that matched, e.g. 'POST /repos/:owner/:repo/issues', or null. */
  route: string | null;
  token: string | null;
  /** Lower-cased request headers. */
  headers: Record<string, string>;
  body: unknown;
  /** 0 while unanswered (hanging). */
  status: number;
}

export type RouteMatcher = string | RegExp | ((request: RecordedRequest) => boolean);

export interface FailOptions {
  /** How many calls in a row fail (default 1). */
  times?: number;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  /**
   * Shapes the body and headers like GitHub's rate-limit answers: 'rate-limit' (primary:
   * x-ratelimit-remaining 0 and a reset time) or 'secondary-rate-limit'.
   */
  kind?: 'secondary-rate-limit' | 'rate-limit';
  message?: string;
  /** For 422: GitHub's `errors` array. */
  errors?: unknown[];
  /** More headers on the answer. */
  headers?: Record<string, string>;
}

interface Fault {
  match: RouteMatcher;
  status: number;
  remaining: number;
  options: FailOptions;
}

interface ArmedStall {
  match: RouteMatcher;
  stall: Stall;
  remaining: number;
}

export function matches(matcher: RouteMatcher, request: RecordedRequest): boolean {
  if (typeof matcher === 'function') return matcher(request);
  if (matcher instanceof RegExp) return matcher.test(`${request.method} ${request.path}`);
  return matcher === '*' || matcher === request.route;
}

export class Faults {
  private readonly faults: Fault[] = [];
  private readonly stalls: ArmedStall[] = [];

  failNext(match: RouteMatcher, status: number, options: FailOptions = {}): void {
    this.faults.push({ match, status, remaining: options.times ?? 1, options });
  }

  stallNext(match: RouteMatcher, stall: Stall, times = 1): void {
    this.stalls.push({ match, stall, remaining: times });
  }

  clear(): void {
    this.faults.length = 0;
    this.stalls.length = 0;
  }

  /** Uses up one armed stall for this request, if any. */
  takeStall(request: RecordedRequest): Stall | undefined {
    const armed = this.stalls.find((s) => s.remaining > 0 && matches(s.match, request));
    if (!armed) return undefined;
    armed.remaining--;
    return armed.stall;
  }

  /** Uses up one armed fault for this request and answers it, if any. */
  takeFault(request: RecordedRequest): Answer | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && matches(f.match, request));
    if (!fault) return undefined;
    fault.remaining--;
    return faultAnswer(fault.status, fault.options);
  }
}

export function faultAnswer(status: number, o: FailOptions): Answer {
  const headers: Record<string, string> = {};
  if (o.retryAfter !== undefined) headers['retry-after'] = String(o.retryAfter);
  let message = o.message ?? defaultMessage(status);
  if (o.kind === 'secondary-rate-limit') {
    message =
      o.message ??
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  }
  if (o.kind === 'rate-limit') {
    message = o.message ?? 'API rate limit exceeded for user ID 1.';
    headers['x-ratelimit-limit'] = '5000';
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-used'] = '5000';
    headers['x-ratelimit-resource'] = 'core';
    headers['x-ratelimit-reset'] = String(Math.floor(Date.now() / 1000) + (o.retryAfter ?? 60));
  }
  const body: Record<string, unknown> = { message, documentation_url: DOCS, status: String(status) };
  if (o.errors) body.errors = o.errors;
  return { status, body, headers: { ...headers, ...o.headers } };
}
