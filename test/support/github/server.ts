import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../../src/sandbox/read-body.js';
import { trickle } from '../stall.js';
import type { Faults, RecordedRequest } from './faults.js';
import { type Answer, failure, notFound, type Router } from './http.js';

/**
 * The HTTP side of the stand-in: records every request, applies the armed stall or fault,
 * checks the token, routes, and answers (after `holdResponseMs` for writes, so a crash test can
 * kill the caller after the effect and before it hears back). Paths under `/_standin/` (log and
 * artifact downloads GitHub redirects to) need no token, like GitHub's signed blob URLs.
 */

export interface ServerSettings {
  delayMs: number;
  holdResponseMs: number;
}

export interface ServerDeps {
  router: Router;
  faults: Faults;
  tokens: Record<string, string>;
  requests: RecordedRequest[];
  settings: ServerSettings;
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'x-github-media-type': 'github.v3; format=json',
};

export async function listen(deps: ServerDeps): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void handle(deps, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { message: String(err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://standin');
  const method = req.method ?? 'GET';
  const raw = await readBody(req);
  let body: unknown = null;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
  }
  const token = tokenOf(req.headers.authorization);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const matched = deps.router.match(method, path);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    route: matched?.template ?? null,
    token,
    headers,
    body,
    status: 0,
  };
  deps.requests.push(record);
  if (deps.settings.delayMs > 0) await sleep(deps.settings.delayMs);
  const stall = deps.faults.takeStall(record);
  if (stall?.mode === 'hang') return;

  const login = token ? deps.tokens[token] : undefined;
  const open = path.startsWith('/_standin/');
  let answer: Answer;
  const fault = deps.faults.takeFault(record);
  if (fault) answer = fault;
  else if (!login && !open) answer = failure(401, 'Bad credentials');
  else if (!matched) answer = notFound();
  else {
    answer = matched.handler({
      method,
      path,
      params: matched.params,
      query: url.searchParams,
      body,
      login: login ?? '',
    });
  }
  record.status = answer.status;
  if (deps.settings.holdResponseMs > 0 && method !== 'GET') await sleep(deps.settings.holdResponseMs);
  if (stall?.mode === 'trickle') {
    const { text, type } = payload(answer);
    trickle(
      res,
      answer.status,
      { 'content-type': type, ...answer.headers },
      text.toString(),
      stall.intervalMs,
    );
    return;
  }
  send(res, answer);
}

function payload(answer: Answer): { text: string | Buffer; type: string } {
  if (answer.raw !== undefined) return { text: answer.raw, type: 'application/zip' };
  if (answer.text !== undefined) return { text: answer.text, type: 'text/plain; charset=utf-8' };
  if (answer.body === undefined) return { text: '', type: JSON_HEADERS['content-type'] };
  return { text: JSON.stringify(answer.body), type: JSON_HEADERS['content-type'] };
}

function send(res: ServerResponse, answer: Answer): void {
  const { text, type } = payload(answer);
  res.writeHead(answer.status, {
    ...JSON_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
  });
  res.end(text);
}

function tokenOf(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(?:token|bearer)\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
