import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One SMTP transaction as the server saw it: every envelope recipient, and the message. */
export interface SmtpTransaction {
  rcptTo: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP listener in the test process that keeps each transaction whole (several
 * envelope recipients stay one message), for tests of who was sent what, and how many times.
 */
export class SmtpSink {
  readonly transactions: SmtpTransaction[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    closeTimeout: 100,
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          this.transactions.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        });
      });
    },
  });

  /** Listens on 127.0.0.1 at `port` (0: any free port) and says which. */
  async start(port = 0): Promise<number> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    return (this.server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  to(address: string): SmtpTransaction[] {
    return this.transactions.filter((t) => t.rcptTo.includes(address));
  }

  about(subject: string): SmtpTransaction[] {
    return this.transactions.filter((t) => (t.mail.subject ?? '').includes(subject));
  }
}
