import { newWebhookSecret, signWebhook, verifyWebhook } from '../../src/webhooks/webhook-signature';

describe('webhook signatures (Standard Webhooks)', () => {
  it('matches the example in the Standard Webhooks specification', () => {
    const signature = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('lets a receiver verify a delivery and refuse a changed body, another secret or an old timestamp', () => {
    const secret = newWebhookSecret();
    const now = Date.now();
    const ts = Math.floor(now / 1000);
    const headers = {
      id: 'evt',
      timestamp: String(ts),
      signature: signWebhook(secret, 'evt', ts, '{"a":1}'),
    };
    expect(verifyWebhook(secret, headers, '{"a":1}', 300, now)).toBe(true);
    expect(verifyWebhook(secret, headers, '{"a":2}', 300, now)).toBe(false);
    expect(verifyWebhook(newWebhookSecret(), headers, '{"a":1}', 300, now)).toBe(false);
    expect(verifyWebhook(secret, headers, '{"a":1}', 300, now + 600_000)).toBe(false);
  });
});
