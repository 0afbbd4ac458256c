import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { decodeEmail } from '../../src/sandbox/mime-decode.js';

/** Builds a message exactly as the outbox mailer writes it (nodemailer, CRLF line ends). */
async function compose(message: SendMailOptions): Promise<string> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail(message);
  if (!Buffer.isBuffer(info.message)) throw new Error('no buffer');
  return info.message.toString('utf8');
}

const longLine = `Acceptance criteria — ${'the export finishes within a minute; '.repeat(6)}done.`;

describe('decodeEmail', () => {
  it('undoes quoted-printable and encoded headers in a text + HTML message', async () => {
    const raw = await compose({
      from: 'Orchestrator <bot@example.com>',
      to: 'Jürgen Müller <juergen@example.com>',
      subject: 'Task “Export CSV” — ready for review',
      text: `Hallo Jürgen,\n${longLine}\n`,
      html: `<p>Hallo <b>Jürgen</b> — ${longLine}</p>`,
    });
    // The raw file really is encoded, so the test proves decoding.
    expect(raw).toContain('quoted-printable');
    expect(raw).not.toContain('Jürgen,');

    const mail = decodeEmail(raw);
    expect(mail.headers.subject).toBe('Task “Export CSV” — ready for review');
    expect(mail.headers.to).toContain('Jürgen Müller');
    expect(mail.headers.from).toContain('bot@example.com');
    expect(mail.text).toBe(`Hallo Jürgen,\r\n${longLine}\r\n`);
    expect(mail.html).toBe(`<p>Hallo <b>Jürgen</b> — ${longLine}</p>`);
    expect(mail.attachments).toEqual([]);
  });

  it('reads base64 bodies and lists attachments without showing them as the body', async () => {
    const raw = await compose({
      from: 'bot@example.com',
      to: 'a@example.com',
      subject: 'Plain',
      text: '日本語のテキスト',
      textEncoding: 'base64',
      attachments: [{ filename: 'report.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' }],
    });
    const mail = decodeEmail(raw);
    expect(mail.text).toBe('日本語のテキスト');
    expect(mail.html).toBeNull();
    expect(mail.attachments).toEqual([{ filename: 'report.csv', contentType: 'text/csv', size: 8 }]);
  });

  it('gives an empty reading of a message that is not MIME at all', () => {
    const mail = decodeEmail('not an email');
    expect(mail.headers.subject).toBe('');
    expect(mail.html).toBeNull();
  });
});
