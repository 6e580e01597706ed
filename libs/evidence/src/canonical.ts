import canonicalize from 'canonicalize';

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a value: what receipts and tree heads
 * sign, so that anyone can re-serialise a payload and get the very bytes that were signed.
 * Throws for values JSON cannot represent (undefined, functions, NaN, lone surrogates).
 */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new TypeError('value has no JSON representation');
  return json;
}
