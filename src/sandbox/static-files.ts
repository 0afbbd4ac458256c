/**
 * The sandbox page's files (plain HTML, CSS and ES modules, no build step), found from the project
 * root so the same path works from src/ (tsx, tests) and from dist/ (`npm start`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};

/** A file name the page may ask for: one path segment with a known extension. */
const FILE_NAME = /^[\w-]+(\.[\w-]+)*\.(html|js|css|svg|png)$/;

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the project root (package.json) to locate the sandbox page');
}

export const PUBLIC_DIR = join(projectRoot(), 'src', 'sandbox', 'public');

/** Security headers for everything the page loads: same-origin only, no framing, no CDN. */
const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/** Sends `name` from the public folder; 404 for anything else. */
export async function sendPublicFile(res: ServerResponse, name: string, dir = PUBLIC_DIR): Promise<void> {
  const ext = FILE_NAME.exec(name)?.[2];
  const type = ext ? CONTENT_TYPES[ext] : undefined;
  if (!type) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(join(dir, name));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    res.writeHead(missing ? 404 : 500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(missing ? `Not found: ${name} is not in ${dir}` : 'Could not read the file');
    return;
  }
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, ...PAGE_HEADERS });
  res.end(body);
}
