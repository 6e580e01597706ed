import { CompactSign, decodeProtectedHeader, importJWK } from 'jose';
import { canonicalJson } from '../src/canonical';
import { signReceipt, verifyReceipt } from '../src/receipt';
import { generateReceiptKey, type GeneratedSigningKey } from '../src/signing-key';
import { signTreeHead } from '../src/tree-head';
import { sampleReceipt } from '../src/testing/receipts';

let key: GeneratedSigningKey;
let other: GeneratedSigningKey;
beforeAll(async () => {
  [key, other] = await Promise.all([generateReceiptKey(), generateReceiptKey()]);
});

/** Signs arbitrary bytes with `key` and header, bypassing signReceipt's checks. */
async function rawSign(payload: string, header: Record<string, unknown>): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: 'EdDSA', ...header })
    .sign(await importJWK(key.privateJwk, 'EdDSA'));
}

function tamperPayload(jws: string, change: (payload: string) => string): string {
  const [header, payload, signature] = jws.split('.');
  const text = Buffer.from(payload!, 'base64url').toString();
  return [header, Buffer.from(change(text)).toString('base64url'), signature].join('.');
}

describe('generateReceiptKey', () => {
  it('makes an Ed25519 key named by its RFC 7638 thumbprint', () => {
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.kid, alg: 'EdDSA' });
    expect(key.publicJwk.d).toBeUndefined();
    expect(key.privateJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.kid });
    expect(key.privateJwk.d).toEqual(expect.any(String));
    expect(other.kid).not.toBe(key.kid);
  });
});

describe('signReceipt and verifyReceipt', () => {
  it('round-trips a receipt through a compact JWS over its canonical form', async () => {
    const receipt = sampleReceipt({ logIndex: 41 });
    const jws = await signReceipt(receipt, key);
    expect(jws.split('.')).toHaveLength(3);
    expect(Buffer.from(jws.split('.')[1]!, 'base64url').toString()).toBe(canonicalJson(receipt));
    expect(await verifyReceipt(jws, [other.publicJwk, key.publicJwk])).toEqual(receipt);
  });

  it('uses exactly the header {alg, kid, typ}', async () => {
    const jws = await signReceipt(sampleReceipt(), key);
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'postkasse-receipt+jws' });
    expect(decodeProtectedHeader(jws)).toEqual(header);
  });

  it('signs the same receipt to the same bytes whatever the key order', async () => {
    const receipt = sampleReceipt();
    const shuffled = Object.fromEntries(Object.entries(receipt).reverse()) as typeof receipt;
    expect(await signReceipt(shuffled, key)).toBe(await signReceipt(receipt, key));
  });

  it('carries kind and reason where the design has them', async () => {
    const failed = sampleReceipt({
      type: 'notification_failed',
      kind: 'reminder',
      reason: { code: 'smtp.rejected', detail: '550 mailbox unavailable' },
      documents: [{ ciphertextSha256: 'c'.repeat(64) }],
    });
    expect(await verifyReceipt(await signReceipt(failed, key), [key.publicJwk])).toEqual(failed);
  });

  it('names the reply on replied and reply_received, and nowhere else', async () => {
    const replyId = '01900000-0000-7000-8000-0000000000aa';
    const received = sampleReceipt({ type: 'reply_received', replyId });
    expect(await verifyReceipt(await signReceipt(received, key), [key.publicJwk])).toEqual(
      received,
    );
    await expect(signReceipt(sampleReceipt({ type: 'replied' }), key)).rejects.toThrow(
      /must name its reply/,
    );
    await expect(signReceipt(sampleReceipt({ type: 'read', replyId }), key)).rejects.toThrow(
      /has no replyId/,
    );
  });

  it('names the role and an HMAC ref of who read or acknowledged, and still takes receipts without', async () => {
    for (const type of ['read', 'acknowledged'] as const) {
      const byGuardian = sampleReceipt({ type, actorRole: 'guardian', actorRef: 'R2d1YXJkaWFu' });
      const signed = await signReceipt(byGuardian, key);
      expect(await verifyReceipt(signed, [key.publicJwk])).toEqual(byGuardian);
      // Signed before the fields existed: as valid as ever.
      const older = sampleReceipt({ type });
      expect(await verifyReceipt(await signReceipt(older, key), [key.publicJwk])).toEqual(older);
    }
  });

  it('refuses to sign a receipt that breaks the receipt format', async () => {
    const bad: unknown[] = [
      { ...sampleReceipt(), type: 'opened' },
      { ...sampleReceipt(), logIndex: -1 },
      { ...sampleReceipt(), logIndex: 1.5 },
      { ...sampleReceipt(), at: '1 March 2025' },
      { ...sampleReceipt(), documents: [{ ciphertextSha256: 'A'.repeat(64) }] },
      { ...sampleReceipt(), documents: [{ ciphertextSha256: 'a'.repeat(63) }] },
      { ...sampleReceipt(), recipientRef: '13097248022 ' },
      { ...sampleReceipt(), nationalId: '13097248022' },
      { ...sampleReceipt(), kind: 'notify' },
      { ...sampleReceipt(), reason: { code: 'x', detail: 'y' } },
      { ...sampleReceipt(), type: 'rejected' },
      { ...sampleReceipt(), type: 'notification_failed', reason: { code: 'x', detail: 'y' } },
      // Only read and acknowledged name who acted, by a known role and an HMAC ref.
      { ...sampleReceipt(), type: 'delivered', actorRole: 'owner', actorRef: 'abc' },
      { ...sampleReceipt(), type: 'read', actorRole: 'spouse', actorRef: 'abc' },
      { ...sampleReceipt(), type: 'read', actorRole: 'owner' },
      { ...sampleReceipt(), type: 'read', actorRole: 'owner', actorRef: '13097248022 ' },
    ];
    for (const receipt of bad) {
      await expect(signReceipt(receipt as never, key)).rejects.toThrow(TypeError);
    }
  });

  it('rejects a receipt whose payload was changed after signing', async () => {
    const jws = await signReceipt(sampleReceipt(), key);
    const tampered = tamperPayload(jws, (p) => p.replace('"delivered"', '"withdrawn"'));
    await expect(verifyReceipt(tampered, [key.publicJwk])).rejects.toThrow();
  });

  it('rejects a receipt with a changed signature or header', async () => {
    const jws = await signReceipt(sampleReceipt(), key);
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0]! ^= 1;
    await expect(
      verifyReceipt([header, payload, flipped.toString('base64url')].join('.'), [key.publicJwk]),
    ).rejects.toThrow();
    const otherHeader = Buffer.from(
      JSON.stringify({ alg: 'EdDSA', kid: key.kid, typ: 'postkasse-receipt+jws', x: 1 }),
    ).toString('base64url');
    await expect(
      verifyReceipt([otherHeader, payload, signature].join('.'), [key.publicJwk]),
    ).rejects.toThrow();
  });

  it('rejects a receipt signed by a key it was not given', async () => {
    const jws = await signReceipt(sampleReceipt(), other);
    await expect(verifyReceipt(jws, [key.publicJwk])).rejects.toThrow(/no trusted key/);
    // The same key material under another kid is still not the key the header names.
    await expect(verifyReceipt(jws, [{ ...key.publicJwk, kid: other.kid }])).rejects.toThrow();
  });

  it('rejects a signed tree head passed off as a receipt', async () => {
    const head = await signTreeHead(
      {
        treeSize: 1,
        rootHash: 'bjQLnP-zepicpUTmu3gKLHiQHT-zNzh2hRGjBhevoB0',
        timestamp: '2025-03-01T12:00:00Z',
      },
      key,
    );
    await expect(verifyReceipt(head, [key.publicJwk])).rejects.toThrow(/typ/);
  });

  it('rejects a JWS without the receipt typ, or with another alg', async () => {
    const payload = canonicalJson(sampleReceipt());
    await expect(
      verifyReceipt(await rawSign(payload, { kid: key.kid }), [key.publicJwk]),
    ).rejects.toThrow(/header fields alg,kid$/);
    await expect(
      verifyReceipt(await rawSign(payload, { kid: key.kid, typ: 'JWT' }), [key.publicJwk]),
    ).rejects.toThrow(/typ/);
    const hs256 = [
      Buffer.from(
        JSON.stringify({ alg: 'HS256', kid: key.kid, typ: 'postkasse-receipt+jws' }),
      ).toString('base64url'),
      Buffer.from(payload).toString('base64url'),
      'AAAA',
    ].join('.');
    await expect(verifyReceipt(hs256, [key.publicJwk])).rejects.toThrow(/alg/);
  });

  it('rejects a signed receipt whose header has fields beyond alg, kid and typ', async () => {
    const payload = canonicalJson(sampleReceipt());
    const header = { kid: key.kid, typ: 'postkasse-receipt+jws', jku: 'https://example.test/' };
    await expect(verifyReceipt(await rawSign(payload, header), [key.publicJwk])).rejects.toThrow(
      /header fields/,
    );
  });

  it('rejects a validly signed payload that is not in canonical form', async () => {
    const receipt = sampleReceipt();
    const spaced = JSON.stringify(receipt, null, 1);
    const header = { kid: key.kid, typ: 'postkasse-receipt+jws' };
    await expect(verifyReceipt(await rawSign(spaced, header), [key.publicJwk])).rejects.toThrow(
      /canonical/,
    );
    const duplicated = canonicalJson(receipt).replace('{', '{"type":"withdrawn",');
    await expect(
      verifyReceipt(await rawSign(duplicated, header), [key.publicJwk]),
    ).rejects.toThrow();
  });

  it('rejects a validly signed payload that is not a receipt', async () => {
    const header = { kid: key.kid, typ: 'postkasse-receipt+jws' };
    const notReceipt = canonicalJson({ ...sampleReceipt(), logIndex: '7' });
    await expect(verifyReceipt(await rawSign(notReceipt, header), [key.publicJwk])).rejects.toThrow(
      /logIndex/,
    );
  });
});
