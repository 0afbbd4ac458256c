import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { runWithDeadline } from './deadline.js';

/**
 * Sends mail: over SMTP (nodemailer) when a host is configured, otherwise into an outbox folder
 * as RFC 822 `.eml` files a person can open in any mail client. Knows nothing of tasks or Slack.
 */

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** With angle brackets, e.g. `<run-1.email@ai-orchestrator>`; also names the outbox file. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(
    message: OutgoingMail,
    options?: { signal?: AbortSignal },
  ): Promise<{ messageId: string; path: string | null }>;
  close(): void;
}

/** SMTP settings from the config; without a deadline, DEFAULT_SMTP_TIMEOUT_MS. */
export type SmtpSettings = Omit<Config['smtp'], 'timeoutMs'> & { timeoutMs?: number };

export const DEFAULT_SMTP_TIMEOUT_MS = 60_000;

export interface MailerOptions {
  smtp: SmtpSettings;
  outboxDir: string;
  logger: Logger;
}

export function createMailer(options: MailerOptions): Mailer {
  return options.smtp.host
    ? smtpMailer(options.smtp, options.smtp.host, options.logger)
    : outboxMailer(options);
}

function smtpMailer(smtp: SmtpSettings, host: string, logger: Logger): Mailer {
  const log = logger.child({ service: 'mailer', delivery: 'smtp' });
  const timeoutMs = smtp.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  const idle = (ms: number) => Math.min(ms, timeoutMs);
  const transport = nodemailer.createTransport({
    host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user && smtp.password ? { user: smtp.user, pass: smtp.password } : undefined,
    // Idle timeouts: a dead server fails fast. A server that trickles a byte now and then never
    // trips them, hence the overall deadline around sendMail below.
    connectionTimeout: idle(15_000),
    greetingTimeout: idle(15_000),
    socketTimeout: idle(30_000),
  });
  // Only OAuth2 token refreshes are reported as events; an unheard 'error' event would end the process.
  transport.on('error', (err) => log.error({ err }, 'SMTP transport error'));
  return {
    kind: 'smtp',
    async send(message, sendOptions) {
      // Aborting makes nodemailer close the connection (and destroy it if the server does not close its side).
      const info = await runWithDeadline('the mail server', timeoutMs, sendOptions?.signal, (signal) =>
        transport.sendMail({ ...message, signal }),
      );
      log.info({ messageId: info.messageId, response: info.response }, 'email sent over SMTP');
      return { messageId: info.messageId, path: null };
    },
    close() {
      transport.close();
    },
  };
}

function outboxMailer(options: MailerOptions): Mailer {
  const log = options.logger.child({ service: 'mailer', delivery: 'outbox' });
  // CRLF line ends: what RFC 5322 and mail clients expect of an .eml file.
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'outbox',
    async send(message, sendOptions) {
      const info = await transport.sendMail({ ...message, signal: sendOptions?.signal });
      if (!Buffer.isBuffer(info.message)) throw new Error('outbox: nodemailer returned no buffer');
      await mkdir(options.outboxDir, { recursive: true });
      const path = join(options.outboxDir, outboxFileName(message.messageId));
      // Write then rename: a reader never sees half a message, and the same id replaces its own file.
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, info.message);
        await rename(temp, path);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      log.info({ messageId: info.messageId, path }, 'email written to the outbox');
      return { messageId: info.messageId, path };
    },
    close() {
      transport.close();
    },
  };
}

/** `<run-1.email@ai-orchestrator>` → `run-1.email@ai-orchestrator.eml`; anything unsafe in a file name → `_`. */
export function outboxFileName(messageId: string): string {
  const bare = messageId.replace(/^<|>$/g, '').replace(/[^\w.@+-]/g, '_');
  return `${bare.replace(/^\.+/, '_') || 'message'}.eml`;
}
