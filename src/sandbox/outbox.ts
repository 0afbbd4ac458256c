/**
 * The email outbox (`.eml` files written when no SMTP server is configured), listed and read for the
 * sandbox page. Only plain file names from the listing are readable: no paths, no traversal.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutboxEntry {
  name: string;
  size: number;
  modified: string;
  subject: string;
  to: string;
}

const EML_NAME = /^[\w.@+=-]+\.eml$/;
const HEADER_BYTES = 16 * 1024;

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) as nodemailer writes them. */
export function decodeMimeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, text: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      const bytes = text
        .replace(/_/g, ' ')
        .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}

/** The headers of a raw message (unfolded, names lower-cased, first occurrence wins). */
export function parseHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at).trim().toLowerCase();
    if (!(name in headers)) headers[name] = decodeMimeWords(line.slice(at + 1).trim());
  }
  return headers;
}

export class Outbox {
  constructor(readonly dir: string) {}

  /** Newest first; an absent folder is an empty outbox. */
  async list(limit = 100): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => EML_NAME.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const entries = await Promise.all(
      names.map(async (name) => {
        const path = join(this.dir, name);
        const [info, raw] = await Promise.all([stat(path), readFile(path, 'utf8')]);
        const headers = parseHeaders(raw.slice(0, HEADER_BYTES));
        return {
          name,
          size: info.size,
          modified: info.mtime.toISOString(),
          subject: headers.subject ?? '(no subject)',
          to: headers.to ?? '',
        };
      }),
    );
    return entries.sort((a, b) => b.modified.localeCompare(a.modified)).slice(0, limit);
  }

  /** The raw message, or undefined when `name` is not a message in the outbox. */
  async read(name: string): Promise<string | undefined> {
    if (!EML_NAME.test(name)) return undefined;
    try {
      return await readFile(join(this.dir, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}
