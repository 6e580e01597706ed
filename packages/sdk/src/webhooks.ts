// The platform's own Standard Webhooks signature check (libs/letters/src/webhooks/
// webhook-signature.ts imports only node:crypto), built into this package.
import { verifyWebhook as verifySignature } from '../../../libs/letters/src/webhooks/webhook-signature';
import type { components } from './api-types';
import { PostkasseError } from './errors';

/** A webhook delivery's body: the event feed's item plus the receipt's JWS (docs/webhooks.md). */
export type WebhookEvent = components['schemas']['EventsPage']['items'][number] & { jws: string };

/** Node's `req.headers`, or a fetch `Headers` (frameworks on web standards). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface WebhookCheck {
  /** How old a `webhook-timestamp` may be, against replays; 300 s as Standard Webhooks suggests. */
  toleranceSeconds?: number;
  now?: number;
}

function header(headers: WebhookHeaders, name: string): string {
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  if (Array.isArray(value) || typeof value !== 'string' || value === '')
    throw new PostkasseError(`the webhook has no single ${name} header`);
  return value;
}

/**
 * Checks a delivery's signature over the raw body (before parsing it: a re-serialised body is
 * not what was signed) and its timestamp, and returns the event. Throws a PostkasseError for a
 * forged, tampered or stale delivery; answer that with a 4xx and drop it.
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  rawBody: string | Uint8Array,
  check: WebhookCheck = {},
): WebhookEvent {
  const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  const signed = {
    id: header(headers, 'webhook-id'),
    timestamp: header(headers, 'webhook-timestamp'),
    signature: header(headers, 'webhook-signature'),
  };
  if (!verifySignature(secret, signed, body, check.toleranceSeconds ?? 300, check.now))
    throw new PostkasseError(
      'the webhook signature does not match, or its timestamp is too far from now',
    );
  return JSON.parse(body) as WebhookEvent;
}
