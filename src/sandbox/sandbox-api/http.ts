/** The sandbox API's HTTP plumbing: typed HTTP errors, JSON answers, bounded bodies, and the same-origin guard. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { BodyTooLargeError, readBody } from '../read-body.js';

const MAX_BODY = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body, at most MAX_BODY bytes (a larger one is answered 413). */
export async function readRequestBody(req: IncomingMessage): Promise<string> {
  try {
    return await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new HttpError(413, 'request body too large');
    throw err;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function hostName(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}

function isLoopbackName(name: string): boolean {
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

/**
 * Only the page itself may act: POSTs must be JSON (a cross-site form cannot send that without a
 * preflight) from our own origin, and on loopback the Host must be a loopback name (DNS rebinding).
 */
export function guardRequest(req: IncomingMessage, post: boolean, loopbackOnly: boolean): void {
  const host = req.headers.host ?? '';
  if (loopbackOnly && !isLoopbackName(hostName(host))) {
    throw new HttpError(403, 'the sandbox answers only on localhost');
  }
  if (!post) return;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'send JSON');
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = '';
    }
    if (originHost !== host) throw new HttpError(403, 'cross-origin requests are refused');
  }
}

export function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new HttpError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}
