import canonicalize from 'canonicalize';

// JSON.stringify writes a lone surrogate as the escape \udXXX and never escapes anything else
// in that range; the lookbehind skips text that only looks like one after an escaped
// backslash ("\\ud800"). Checked on the output so that the rule holds whichever canonicalize
// version is installed (2.x lets lone surrogates through, later versions throw).
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/**
 * The RFC 8785 (JSON Canonicalization Scheme) form of a value: what receipts and tree heads
 * sign, so that anyone can re-serialise a payload and get the very bytes that were signed.
 * Throws for values JSON cannot represent (undefined, functions, NaN, lone surrogates), as
 * RFC 8785 requires.
 */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new TypeError('value has no JSON representation');
  if (LONE_SURROGATE_ESCAPE.test(json)) {
    throw new TypeError('strings must not contain lone surrogates (RFC 8785 §3.2.2.2)');
  }
  return json;
}
