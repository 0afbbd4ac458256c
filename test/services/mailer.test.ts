import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import {
  createMailer,
  type OutgoingMail,
  outboxFileName,
  type SmtpSettings,
} from '../../src/services/mailer.js';
import { type SmtpStandIn, startSmtpStandIn } from '../support/smtp-standin.js';

const logger = createLogger({ level: 'silent' });
const noSmtp: SmtpSettings = {
  host: undefined,
  port: 587,
  secure: false,
  user: undefined,
  password: undefined,
};

const message = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  from: 'orchestrator@acme.test',
  to: 'team@acme.test',
  subject: 'Hello',
  text: 'plain body',
  html: '<p>html body</p>',
  messageId: '<run-1.email@ai-orchestrator>',
  headers: { 'X-Test': 'yes' },
  ...overrides,
});

describe('mailer over SMTP', () => {
  let smtp: SmtpStandIn;
  afterEach(async () => {
    await smtp.close();
  });

  it('delivers with the given Message-ID, both parts and headers', async () => {
    smtp = await startSmtpStandIn();
    const mailer = createMailer({
      smtp: { ...noSmtp, host: '127.0.0.1', port: smtp.port },
      outboxDir: '/nonexistent',
      logger,
    });
    expect(mailer.kind).toBe('smtp');
    const sent = await mailer.send(message());
    mailer.close();
    expect(sent).toEqual({ messageId: '<run-1.email@ai-orchestrator>', path: null });
    expect(smtp.messages).toHaveLength(1);
    const got = smtp.messages[0]!;
    expect(got.envelope).toEqual({ from: 'orchestrator@acme.test', to: ['team@acme.test'] });
    expect(got.parsed.messageId).toBe('<run-1.email@ai-orchestrator>');
    expect(got.parsed.text?.trim()).toBe('plain body');
    expect(got.parsed.html).toContain('<p>html body</p>');
    expect(got.parsed.headers.get('x-test')).toBe('yes');
    expect(got.user).toBeNull();
  });

  it('authenticates when user and password are configured', async () => {
    smtp = await startSmtpStandIn({ users: { mailer: 's3cret' } });
    const mailer = createMailer({
      smtp: { ...noSmtp, host: '127.0.0.1', port: smtp.port, user: 'mailer', password: 's3cret' },
      outboxDir: '/nonexistent',
      logger,
    });
    await mailer.send(message());
    mailer.close();
    expect(smtp.messages[0]?.user).toBe('mailer');
  });

  it('rejects with the SMTP reply code when the server refuses', async () => {
    smtp = await startSmtpStandIn();
    const mailer = createMailer({
      smtp: { ...noSmtp, host: '127.0.0.1', port: smtp.port },
      outboxDir: '/nonexistent',
      logger,
    });
    smtp.failNext(451);
    await expect(mailer.send(message())).rejects.toMatchObject({ responseCode: 451 });
    await mailer.send(message());
    mailer.close();
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('mailer into the outbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an .eml named from the Message-ID that parses back to the message', async () => {
    const outboxDir = join(dir, 'nested', 'outbox');
    const mailer = createMailer({ smtp: noSmtp, outboxDir, logger });
    expect(mailer.kind).toBe('outbox');
    const sent = await mailer.send(message());
    expect(sent.path).toBe(join(outboxDir, 'run-1.email@ai-orchestrator.eml'));
    const raw = await readFile(sent.path!);
    expect(raw.includes('\r\n')).toBe(true);
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe('<run-1.email@ai-orchestrator>');
    expect(parsed.subject).toBe('Hello');
    expect(parsed.text?.trim()).toBe('plain body');
    expect(parsed.html).toContain('<p>html body</p>');
    expect(parsed.headers.get('x-test')).toBe('yes');
  });

  it('the same Message-ID twice leaves one file, with the latest content', async () => {
    const mailer = createMailer({ smtp: noSmtp, outboxDir: dir, logger });
    await mailer.send(message({ subject: 'first' }));
    const second = await mailer.send(message({ subject: 'second' }));
    await mailer.send(message({ messageId: '<run-2.email@ai-orchestrator>' }));
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['run-1.email@ai-orchestrator.eml', 'run-2.email@ai-orchestrator.eml']);
    const parsed = await simpleParser(await readFile(second.path!));
    expect(parsed.subject).toBe('second');
  });

  it('keeps file names inside the outbox whatever the Message-ID holds', () => {
    expect(outboxFileName('<../../etc/passwd@x>')).toBe('__.._etc_passwd@x.eml');
    expect(outboxFileName('<a b/c@d>')).toBe('a_b_c@d.eml');
  });
});
