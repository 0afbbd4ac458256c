/**
 * Decodes an outbox `.eml` for the sandbox page: headers (RFC 2047 words decoded), the text and the HTML
 * body (quoted-printable or base64 undone, charsets applied), and the attachments by name. Enough MIME for
 * what nodemailer writes (multipart/mixed around multipart/alternative); anything it cannot read stays
 * visible in the raw message the page also shows.
 */

import { decodeMimeWords, parseHeaders } from './outbox.js';

export interface DecodedEmail {
  headers: { from: string; to: string; cc: string; subject: string; date: string };
  text: string | null;
  html: string | null;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
}

interface Part {
  headers: Record<string, string>;
  body: string;
}

const MAX_DEPTH = 5;

/** `text/plain; charset="utf-8"` → `{ value: 'text/plain', params: { charset: 'utf-8' } }`. */
function headerValue(value: string | undefined): { value: string; params: Record<string, string> } {
  const [first = '', ...rest] = (value ?? '').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const at = p.indexOf('=');
    if (at <= 0) continue;
    params[p.slice(0, at).trim().toLowerCase()] = p
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { value: first.trim().toLowerCase(), params };
}

function splitPart(raw: string): Part {
  const match = /\r?\n\r?\n/.exec(raw);
  const end = match ? match.index : raw.length;
  const bodyStart = match ? end + match[0].length : raw.length;
  return { headers: parseHeaders(raw.slice(0, end)), body: raw.slice(bodyStart) };
}

/** Undoes the transfer encoding, giving the bytes of the body. */
function transferDecode(body: string, encoding: string | undefined): Buffer {
  switch ((encoding ?? '7bit').trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable': {
      const soft = body.replace(/=\r?\n/g, '');
      const bytes: number[] = [];
      for (let i = 0; i < soft.length; i++) {
        const hex = soft.slice(i + 1, i + 3);
        if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
          bytes.push(Number.parseInt(hex, 16));
          i += 2;
        } else {
          // The raw file was read as UTF-8; a stray non-ASCII character keeps its UTF-8 bytes.
          bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
        }
      }
      return Buffer.from(bytes);
    }
    default:
      return Buffer.from(body, 'utf8');
  }
}

function decodeText(bytes: Buffer, charset: string | undefined): string {
  const name = (charset ?? 'utf-8').toLowerCase();
  try {
    return new TextDecoder(name).decode(bytes);
  } catch {
    return bytes.toString('utf8'); // an unknown charset: UTF-8 is the best guess for a bot's mail
  }
}

function walk(part: Part, out: DecodedEmail, depth: number): void {
  const type = headerValue(part.headers['content-type'] ?? 'text/plain');
  const disposition = headerValue(part.headers['content-disposition']);
  const boundary = type.params.boundary;
  if (type.value.startsWith('multipart/') && boundary && depth < MAX_DEPTH) {
    const delimiter = `--${boundary}`;
    const sections = part.body.split(delimiter).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break; // the closing delimiter
      walk(splitPart(section.replace(/^\r?\n/, '').replace(/\r?\n$/, '')), out, depth + 1);
    }
    return;
  }
  const bytes = transferDecode(part.body, part.headers['content-transfer-encoding']);
  const filename = disposition.params.filename ?? type.params.name;
  const inline = disposition.value !== 'attachment' && filename === undefined;
  if (inline && type.value === 'text/plain' && out.text === null) {
    out.text = decodeText(bytes, type.params.charset);
  } else if (inline && type.value === 'text/html' && out.html === null) {
    out.html = decodeText(bytes, type.params.charset);
  } else {
    out.attachments.push({
      filename: decodeMimeWords(filename ?? '(unnamed)'),
      contentType: type.value,
      size: bytes.length,
    });
  }
}

/** The message as a person reads it; never throws on a malformed message. */
export function decodeEmail(raw: string): DecodedEmail {
  const root = splitPart(raw);
  const h = root.headers;
  const out: DecodedEmail = {
    headers: {
      from: h.from ?? '',
      to: h.to ?? '',
      cc: h.cc ?? '',
      subject: h.subject ?? '',
      date: h.date ?? '',
    },
    text: null,
    html: null,
    attachments: [],
  };
  walk(root, out, 0);
  return out;
}
