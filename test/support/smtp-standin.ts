import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
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
 *
 * Stalls, per connection, as a sick server does (`stallNext(stall, times)`): `hang` accepts the
 * connection and never says a word; `trickle` greets at once, then answers the client's first
 * command with a reply that never ends, one byte every `intervalMs` — nodemailer's idle timeouts
 * never fire on it. A small TCP front on `port` does this, and hands every other connection to
 * the real SMTP server behind it.
 */

export interface ReceivedMail {
  envelope: { from: string | null; to: string[] };
  /** The login used, if the client authenticated. */
  user: string | null;
  raw: string;
  parsed: ParsedMail;
}

export type SmtpStall = { mode: 'hang' } | { mode: 'trickle'; intervalMs?: number };

export interface SmtpStandIn {
  port: number;
  messages: ReceivedMail[];
  failNext(code: number, times?: number): void;
  /** The next `times` connections hang or trickle. */
  stallNext(stall: SmtpStall, times?: number): void;
  /** Forgets faults and stalls not used up yet. */
  clearFaults(): void;
  /** Latency added to each held reply; may be changed at any time. */
  delayMs: number;
  /** Accepted logins (user → password); undefined accepts any. May be changed at any time. */
  users: Record<string, string> | undefined;
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
      const users = standIn.users;
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
  const inner = server.server.address() as AddressInfo;

  const stalls: Array<{ stall: SmtpStall; remaining: number }> = [];
  const sockets = new Set<Socket>();
  const front = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const stalled = stalls.find((s) => s.remaining > 0);
    if (stalled) stalled.remaining--;
    if (stalled?.stall.mode === 'hang') return;
    if (stalled?.stall.mode === 'trickle') {
      const intervalMs = stalled.stall.intervalMs ?? 200;
      socket.write('220 stand-in ESMTP\r\n');
      socket.once('data', () => {
        const line = Buffer.from('250-still thinking\r\n');
        let at = 0;
        const timer = setInterval(() => {
          socket.write(line.subarray(at % line.length, (at % line.length) + 1));
          at++;
        }, intervalMs);
        socket.on('close', () => clearInterval(timer));
      });
      return;
    }
    const upstream = connect(inner.port, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = front.address() as AddressInfo;

  const standIn: SmtpStandIn = {
    port,
    messages,
    delayMs: options.delayMs ?? 0,
    users: options.users,
    failNext(code, times = 1) {
      faults.push({ code, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
      stalls.length = 0;
    },
    stallNext(stall, times = 1) {
      stalls.push({ stall, remaining: times });
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}
