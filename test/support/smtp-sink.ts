import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type Rule = 'accept' | 'tempfail_once' | 'tempfail_always' | 'reject' | 'slow';

export interface Received {
  to: string;
  secure: boolean;
  raw: string;
  mail: ParsedMail;
}

/** A real SMTP listener in the test process, with per-recipient behaviour. */
export class SmtpSink {
  readonly messages: Received[] = [];
  readonly rules = new Map<string, Rule>();
  private readonly tempfailed = new Set<string>();
  private server: SMTPServer | null = null;

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      // STARTTLS stays on (a self-signed certificate): the transport upgrades as offered.
      closeTimeout: 100,
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => void this.receive(Buffer.concat(chunks), session, callback));
      },
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }

  private async receive(
    raw: Buffer,
    session: SMTPServerSession,
    callback: (err?: Error | null) => void,
  ): Promise<void> {
    const to = session.envelope.rcptTo[0].address;
    const mail = await simpleParser(raw);
    const rule = this.rules.get(to) ?? 'accept';
    const refuse = (code: number, text: string) =>
      callback(Object.assign(new Error(text), { responseCode: code }));
    const isConfirmation = /Confirm|Bekreft|Bekræft/.test(mail.subject ?? '');
    if (!isConfirmation) {
      if (rule === 'reject') return refuse(550, `5.1.1 <${to}>: mailbox unavailable`);
      if (rule === 'tempfail_always') return refuse(451, '4.3.0 try again later');
      if (rule === 'tempfail_once' && !this.tempfailed.has(to)) {
        this.tempfailed.add(to);
        return refuse(451, '4.3.0 greylisted, try again later');
      }
      if (rule === 'slow') await new Promise((r) => setTimeout(r, 2_000));
    }
    this.messages.push({ to, secure: session.secure, raw: raw.toString('utf8'), mail });
    callback();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  to(address: string): Received[] {
    return this.messages.filter((m) => m.to === address);
  }
}
