import { classifySmtpError, redactAddresses, smtpOptions } from '../src/smtp-transport';

describe('SMTP failures', () => {
  it('treats 5xx as permanent and 4xx as transient', () => {
    expect(classifySmtpError({ responseCode: 550, response: '550 5.1.1 no such user' })).toEqual({
      permanent: true,
      code: 'smtp.550',
      detail: '550 5.1.1 no such user',
    });
    expect(classifySmtpError({ responseCode: 451, response: '451 4.3.0 later' }).permanent).toBe(
      false,
    );
  });

  it('retries connection errors and our own authentication failures', () => {
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toEqual({
      permanent: false,
      code: 'smtp.econnection',
      detail: 'connect ECONNREFUSED',
    });
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535 }).permanent).toBe(false);
  });

  it('never puts the address into the reason', () => {
    expect(redactAddresses('550 5.1.1 <kari.nordmann@example.no>: unknown')).toBe(
      '550 5.1.1 <<address>>: unknown',
    );
    expect(classifySmtpError({ responseCode: 550, response: 'no a@b.c' }).detail).toBe(
      'no <address>',
    );
  });
});

describe('SMTP_URL', () => {
  it('pools, upgrades with STARTTLS as offered and reads credentials from the URL', () => {
    const options = smtpOptions({
      smtpUrl: 'smtp://user%40x:p%3Ass@mail.example:2525',
      poolSize: 3,
      dkim: null,
    });
    expect(options).toMatchObject({
      pool: true,
      host: 'mail.example',
      port: 2525,
      secure: false,
      requireTLS: false,
      ignoreTLS: false,
      maxConnections: 3,
      auth: { user: 'user@x', pass: 'p:ss' },
    });
    expect(options.dkim).toBeUndefined();
  });

  it('uses implicit TLS for smtps and signs with DKIM when configured', () => {
    const dkim = { domainName: 'post.example', keySelector: 'pk1', privateKey: 'KEY' };
    const options = smtpOptions({ smtpUrl: 'smtps://mail.example', poolSize: 1, dkim });
    expect(options).toMatchObject({ secure: true, port: 465, dkim });
  });

  it('takes TLS tuning from the query', () => {
    const options = smtpOptions({
      smtpUrl: 'smtp://127.0.0.1:1025/?requireTLS=true&tls.rejectUnauthorized=false',
      poolSize: 1,
      dkim: null,
    });
    expect(options).toMatchObject({ requireTLS: true, tls: { rejectUnauthorized: false } });
  });
});
