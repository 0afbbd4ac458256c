import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 and a free port (`smtp-server`), for nodemailer to talk to.
 * Received messages are parsed with `mailparser` and kept in `messages`, with the SMTP envelope.
 * STARTTLS is disabled (its built-in certificate has expired); AUTH is optional and accepted
 * over plain text, and with `users` given only those credentials pass (else 535).
 *
 * Faults: `failNext(code, times)` rejects the next N messages after DATA with that reply code
 * (451 = try again later, 550 = refused), as a real server would. `delayMs` delays the replies
 * smtp-server lets us hold (greeting, MAIL FROM, RCPT TO, end of DATA; not EHLO or QUIT), so
 * one message costs 4 × delayMs of latency (benchmarks).
 */

export interface ReceivedMail {
  envelope: { from: string | null; to: string[] };
  /** The login used, if the client authenticated. */
  user: string | null;
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpStandIn {
  port: number;
  messages: ReceivedMail[];
  failNext(code: number, times?: number): void;
  /** Latency added to each held reply; may be changed at any time. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startSmtpStandIn(
  options: { users?: Record<string, string>; delayMs?: number } = {},
): Promise<SmtpStandIn> {
  const messages: ReceivedMail[] = [];
  const faults: Array<{ code: number; remaining: number }> = [];
  const later = (done: () => void) => {
    if (standIn.delayMs > 0) setTimeout(done, standIn.delayMs);
    else done();
  };

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onConnect(_session, callback) {
      later(() => callback());
    },
    onMailFrom(_address, _session, callback) {
      later(() => callback());
    },
    onRcptTo(_address, _session, callback) {
      later(() => callback());
    },
    onAuth(auth, _session, callback) {
      const users = options.users;
      if (users && users[auth.username ?? ''] !== auth.password) {
        const err = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
        callback(err);
        return;
      }
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () =>
        later(() => {
          const fault = faults.find((f) => f.remaining > 0);
          if (fault) {
            fault.remaining--;
            const text = fault.code < 500 ? 'Try again later' : 'Message refused';
            callback(Object.assign(new Error(text), { responseCode: fault.code }));
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              const from = session.envelope.mailFrom;
              messages.push({
                envelope: {
                  from: from ? from.address : null,
                  to: session.envelope.rcptTo.map((r) => r.address),
                },
                user: typeof session.user === 'string' ? session.user : null,
                raw,
                parsed,
              });
              callback(null, 'Queued');
            })
            .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
        }),
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  const standIn: SmtpStandIn = {
    port,
    messages,
    delayMs: options.delayMs ?? 0,
    failNext(code, times = 1) {
      faults.push({ code, remaining: times });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return standIn;
}
