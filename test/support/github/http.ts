/**
 * The stand-in's routing and answers: route templates as GitHub's docs write them
 * ('POST /repos/:owner/:repo/issues'), with `*name` for a tail that may hold slashes (refs,
 * paths, `base...head`), and GitHub's error bodies.
 */

export const DOCS = 'https://docs.github.com/rest';

export interface Answer {
  status: number;
  /** JSON body; absent for 204 and redirects. */
  body?: unknown;
  /** A non-JSON body (logs), sent as text/plain. */
  text?: string;
  /** A binary body (artifact zips), sent as application/zip. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export interface Ctx {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Login of the token that called. */
  login: string;
}

export type Handler = (ctx: Ctx) => Answer;

interface Route {
  template: string;
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(template: string, handler: Handler): void {
    const [method, path] = template.split(' ') as [string, string];
    const keys: string[] = [];
    const source = path.replace(/([:*])(\w+)/g, (_m, kind: string, key: string) => {
      keys.push(key);
      return kind === '*' ? '(.*)' : '([^/]+)';
    });
    this.routes.push({ template, method, pattern: new RegExp(`^${source}$`), keys, handler });
  }

  /** The matching route with the most literal text, so '/pulls/comments' beats '/pulls/:number'. */
  match(
    method: string,
    path: string,
  ): { template: string; params: Record<string, string>; handler: Handler } | undefined {
    let best: { route: Route; m: RegExpExecArray; weight: number } | undefined;
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      const weight = r.template.replace(/[:*]\w+/g, '').length;
      if (!best || weight > best.weight) best = { route: r, m, weight };
    }
    if (!best) return undefined;
    const { route, m } = best;
    const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1] ?? '')]));
    return { template: route.template, params, handler: route.handler };
  }

  templates(): string[] {
    return this.routes.map((r) => r.template);
  }
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): Answer => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

export const noContent = (): Answer => ({ status: 204 });

export function failure(status: number, message: string, extra: Record<string, unknown> = {}): Answer {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

export const notFound = (): Answer => failure(404, 'Not Found');

export const validationFailed = (errors: unknown[], message = 'Validation Failed'): Answer =>
  failure(422, message, { errors });

export function defaultMessage(status: number): string {
  if (status === 422) return 'Validation Failed';
  if (status === 404) return 'Not Found';
  if (status === 401) return 'Bad credentials';
  if (status === 403) return 'Forbidden';
  if (status === 405) return 'Method Not Allowed';
  if (status === 409) return 'Conflict';
  if (status === 429) return 'Too Many Requests';
  if (status >= 500) return 'Server Error';
  return 'Error';
}

/** Reads a JSON object body's fields without trusting its shape. */
export function fields(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function perPage(query: URLSearchParams): { perPage: number; page: number } {
  return {
    perPage: Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30)),
    page: Math.max(1, Number(query.get('page') ?? 1) || 1),
  };
}

export function paginate<T>(items: T[], query: URLSearchParams): T[] {
  const { perPage: size, page } = perPage(query);
  return items.slice((page - 1) * size, page * size);
}

export const isoNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
