import { signWebhook } from '../../../libs/letters/src/webhooks/webhook-signature';
import { PostkasseError } from './errors';
import { verifyWebhook } from './webhooks';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const NOW = Date.parse('2030-01-31T09:00:00Z');
const body = JSON.stringify({
  id: '0190a0a0-0000-7000-8000-000000000001',
  type: 'delivered',
  letterId: '0190a0a0-0000-7000-8000-000000000002',
  at: '2030-01-31T08:59:58.000Z',
  logIndex: 41,
  jws: 'a.b.c',
});

/** Headers as the platform's webhook processor sends them, `secondsAgo` before NOW. */
function delivery(secondsAgo: number, signedBody = body) {
  const timestamp = Math.floor(NOW / 1000) - secondsAgo;
  return {
    'webhook-id': '0190a0a0-0000-7000-8000-000000000001',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(
      SECRET,
      '0190a0a0-0000-7000-8000-000000000001',
      timestamp,
      signedBody,
    ),
  };
}

describe('verifying a webhook delivery', () => {
  it('accepts a delivery signed with the secret and returns its event', () => {
    const event = verifyWebhook(SECRET, delivery(10), body, { now: NOW });
    expect(event).toMatchObject({ type: 'delivered', logIndex: 41, jws: 'a.b.c' });
  });

  it('reads fetch Headers and a raw body in bytes as well', () => {
    const event = verifyWebhook(SECRET, new Headers(delivery(10)), Buffer.from(body), { now: NOW });
    expect(event.letterId).toBe('0190a0a0-0000-7000-8000-000000000002');
  });

  it('refuses a tampered body', () => {
    const tampered = body.replace('"logIndex":41', '"logIndex":42');
    expect(() => verifyWebhook(SECRET, delivery(10), tampered, { now: NOW })).toThrow(
      PostkasseError,
    );
  });

  it('refuses a signature made with another secret', () => {
    const other = `whsec_${Buffer.alloc(32, 8).toString('base64')}`;
    expect(() => verifyWebhook(other, delivery(10), body, { now: NOW })).toThrow(/does not match/);
  });

  it('refuses a delivery whose timestamp is older than the tolerance (a replay)', () => {
    expect(() => verifyWebhook(SECRET, delivery(301), body, { now: NOW })).toThrow(PostkasseError);
    const lenient = { now: NOW, toleranceSeconds: 600 };
    expect(verifyWebhook(SECRET, delivery(301), body, lenient).type).toBe('delivered');
  });

  it('refuses a delivery without the signature headers', () => {
    const { 'webhook-signature': _dropped, ...unsigned } = delivery(10);
    expect(() => verifyWebhook(SECRET, unsigned, body, { now: NOW })).toThrow(
      /no single webhook-signature header/,
    );
  });
});
