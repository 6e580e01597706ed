import { environmentSchema } from '../src/schema';

describe('the configuration schema', () => {
  it('limits every kind of caller, webhooks and confirmation mails by default', () => {
    const env = environmentSchema.parse({ NODE_ENV: 'production' });
    expect({
      agency: env.RATE_LIMIT_AGENCY_REQUESTS,
      citizen: env.RATE_LIMIT_CITIZEN_REQUESTS,
      auditor: env.RATE_LIMIT_AUDITOR_REQUESTS,
      anonymous: env.RATE_LIMIT_ANONYMOUS_REQUESTS,
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      webhooks: env.WEBHOOKS_PER_AGENCY,
      mailsPerMailboxHour: env.EMAIL_CONFIRMATIONS_PER_MAILBOX_HOUR,
      mailsPerAddressDay: env.EMAIL_CONFIRMATIONS_PER_ADDRESS_DAY,
    }).toEqual({
      agency: 6_000,
      citizen: 300,
      auditor: 600,
      anonymous: 60,
      windowMs: 60_000,
      webhooks: 10,
      mailsPerMailboxHour: 5,
      mailsPerAddressDay: 3,
    });
  });

  it('trusts only loopback proxies unless told otherwise, and reads a list of them', () => {
    expect(environmentSchema.parse({ NODE_ENV: 'production' }).TRUST_PROXY).toEqual(['loopback']);
    expect(
      environmentSchema.parse({
        NODE_ENV: 'production',
        TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8,192.0.2.7',
      }).TRUST_PROXY,
    ).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
  });

  it.each(['everything', '10.0.0.0/33', '10.0.0.1/8/1', '300.1.1.1'])(
    'refuses TRUST_PROXY=%s',
    (value) => {
      const parsed = environmentSchema.safeParse({ NODE_ENV: 'production', TRUST_PROXY: value });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0].message).toContain('CIDR ranges');
    },
  );

  it('refuses a webhook cap of 0 (uncapped is what it is there to prevent)', () => {
    expect(
      environmentSchema.safeParse({ NODE_ENV: 'production', WEBHOOKS_PER_AGENCY: '0' }).success,
    ).toBe(false);
  });
});
