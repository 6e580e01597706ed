import { sign } from 'node:crypto';
import { compactVerify, type JWK } from 'jose';
import { canonicalJson } from './canonical';
import { signingKeyObject, type SigningKey } from './signing-key';
import { VerificationKeys } from './verification-keys';

const ALG = 'EdDSA';

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

/**
 * Signs the RFC 8785 form of `payload` as a compact JWS (RFC 7515 §7.1) with header exactly
 * {alg, kid, typ}. Built with node:crypto's synchronous Ed25519 rather than jose's WebCrypto
 * path, which costs an import and an asynchronous round trip per signature; the sequencer signs
 * every receipt, one after another. Verification (jose, below) is what proves the form right.
 */
export async function signTyped(payload: unknown, typ: string, key: SigningKey): Promise<string> {
  const header = base64url(Buffer.from(JSON.stringify({ alg: ALG, kid: key.kid, typ })));
  const signingInput = `${header}.${base64url(Buffer.from(canonicalJson(payload), 'utf8'))}`;
  const signature = sign(null, Buffer.from(signingInput), signingKeyObject(key.privateJwk));
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * Verifies a compact JWS of type `typ` and returns its parsed payload. The typ check keeps a
 * signed tree head from passing as a receipt and the other way round; the canonical check means
 * the signed bytes are the only serialisation of the payload, so a verifier that re-serialises
 * it cannot be shown one thing while the signature covers another.
 */
export async function verifyTyped(
  jws: string,
  typ: string,
  keys: readonly JWK[] | VerificationKeys,
): Promise<unknown> {
  const trusted = VerificationKeys.from(keys);
  const { payload } = await compactVerify(
    jws,
    async (header) => {
      // Exactly the header we sign: nothing like b64, crit, jku or jwk that could change how
      // the JWS is read or which key is trusted.
      const names = Object.keys(header).sort().join(',');
      if (names !== 'alg,kid,typ') throw new Error(`unexpected JWS header fields ${names}`);
      if (header.alg !== ALG) throw new Error(`unexpected alg ${JSON.stringify(header.alg)}`);
      if (header.typ !== typ) throw new Error(`unexpected typ ${JSON.stringify(header.typ)}`);
      if (typeof header.kid !== 'string') throw new Error('JWS header has no kid');
      return trusted.get(header.kid);
    },
    { algorithms: [ALG] },
  );
  const text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('JWS payload is not JSON');
  }
  if (canonicalJson(value) !== text) throw new Error('JWS payload is not in canonical form');
  return value;
}
