import { DomainError } from '#errors';
import { assertWebhookUrl, isForbiddenAddress } from './webhook-target';

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

  it('requires HTTPS and a public host in production, and allows a local receiver in development', () => {
    expect(() => assertWebhookUrl('http://example.org/hook', false)).toThrow(DomainError);
    expect(() => assertWebhookUrl('https://127.0.0.1/hook', false)).toThrow(DomainError);
    expect(() => assertWebhookUrl('https://user:pw@example.org/hook', false)).toThrow(DomainError);
    expect(assertWebhookUrl('https://example.org/hook', false).hostname).toBe('example.org');
    expect(assertWebhookUrl('http://127.0.0.1:9999/hook', true).port).toBe('9999');
  });
});
