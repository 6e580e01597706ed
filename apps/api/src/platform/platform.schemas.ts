import { z } from 'zod';

/** A receipt verification key: a public Ed25519 JWK (a private member would fail this). */
const receiptJwkSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  kid: z.string().min(1),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});

export const platformKeysSchema = z
  .strictObject({
    openpgp: z.strictObject({
      fingerprint: z.string().regex(/^[0-9a-f]{40,64}$/),
      publicKey: z.string().startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----'),
    }),
    receipts: z.strictObject({ keys: z.array(receiptJwkSchema).min(1) }),
  })
  .meta({ id: 'PlatformKeys' });
