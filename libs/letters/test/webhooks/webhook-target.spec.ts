import { DomainError } from '#errors';
import { assertWebhookUrl, isForbiddenAddress } from '../../src/webhooks/webhook-target';

describe('webhook targets', () => {
  it('refuses private, loopback and link-local addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isForbiddenAddress(a)).toBe(true);
    }
    expect(isForbiddenAddress('93.184.216.34')).toBe(false);
  });

  it('refuses IPv6 forms that carry a private IPv4 address: NAT64, 6to4, mapped, compatible', () => {
    for (const a of [
      '64:ff9b::a00:1',
      '64:ff9b::10.0.0.1',
      '64:ff9b:1::a00:1',
      '2002:a00:1::',
      '2002:7f00:1::1',
      '2001:0:4136:e378::1',
      '::ffff:10.0.0.1',
      '::ffff:a00:1',
      '0:0:0:0:0:ffff:7f00:1',
      '::ffff:0:a00:1',
      '::10.0.0.1',
      '2001:db8::1',
      'fec0::1',
    ]) {
      expect([a, isForbiddenAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['2606:4700:4700::1111', '2a00:1450:400f:80d::200e', '::ffff:93.184.216.34'])
      expect([a, isForbiddenAddress(a)]).toEqual([a, false]);
  });

  it('refuses those forms when they are written into the URL', () => {
    for (const host of [
      '[64:ff9b::a00:1]',
      '[2002:a00:1::]',
      '[::ffff:10.0.0.1]',
      '[::ffff:a00:1]',
    ])
      expect(() => assertWebhookUrl(`https://${host}/hook`, false)).toThrow(
        /private or loopback address/,
      );
  });

  it('requires HTTPS and a public host in production, and allows a local receiver in development', () => {
    expect(() => assertWebhookUrl('http://example.org/hook', false)).toThrow(DomainError);
    expect(() => assertWebhookUrl('https://127.0.0.1/hook', false)).toThrow(DomainError);
    expect(() => assertWebhookUrl('https://user:pw@example.org/hook', false)).toThrow(DomainError);
    expect(assertWebhookUrl('https://example.org/hook', false).hostname).toBe('example.org');
    expect(assertWebhookUrl('http://127.0.0.1:9999/hook', true).port).toBe('9999');
  });
});
