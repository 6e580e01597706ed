import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createMailSender } from '../src/smtp-transport';
import { renderLetterEmail } from '../src/templates';

describe('the pooled SMTP sender', () => {
  const received: { raw: string; secure: boolean }[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      logger: false,
      closeTimeout: 50,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure });
          callback();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('upgrades with STARTTLS as offered and DKIM-signs when a key is configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sender = createMailSender({
      smtpUrl: `smtp://127.0.0.1:${port}/?tls.rejectUnauthorized=false`,
      poolSize: 2,
      dkim: {
        domainName: 'post.example',
        keySelector: 'pk2026',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    try {
      const info = await sender.send({
        from: 'Postkasse <varsel@post.example>',
        to: 'kari@example.test',
        ...renderLetterEmail({
          kind: 'notify',
          language: 'nb',
          sender: 'NAV',
          title: 'Vedtak',
          webUrl: 'https://post.example/',
        }),
      });
      expect(info.response).toMatch(/^250/);
    } finally {
      sender.close();
    }
    const [message] = received;
    expect(message.secure).toBe(true);
    expect(message.raw).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed;/m);
    expect(message.raw).toMatch(/d=post\.example;/);
    expect(message.raw).toMatch(/s=pk2026;/);
    expect(message.raw).toContain('Auto-Submitted: auto-generated');
  });
});
