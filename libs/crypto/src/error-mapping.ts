import { OpenPgpError } from './errors';

type Rule = [code: string, pattern: RegExp];

// openpgp reports everything as plain Error with English messages (class names are minified
// in the build Node loads), so the message text is the only thing to go on. Order matters:
// wrapped messages contain their causes, and the most specific reason must win.
const RULES: Rule[] = [
  ['openpgp.decompressed_too_large', /Maximum decompressed message size exceeded/],
  ['openpgp.not_signed', /Message is not signed/],
  [
    'openpgp.unknown_signer',
    /Could not find signing key with key ID|Verification keys are required/,
  ],
  [
    'openpgp.weak_algorithm',
    /Insecure (message )?hash algorithm|considered too weak|Hash algorithm too weak|keys using curve .* is disabled|insecure two-byte hash/,
  ],
  [
    'openpgp.unknown_signer',
    /Primary key is (revoked|expired)|Subkey is (revoked|expired)|Could not find valid signing key packet|Key is newer than the signature/,
  ],
  [
    'openpgp.bad_signature',
    /Signed digest did not match|Signature verification failed|Signature creation time is in the future|Signature is expired|Unknown critical|Corresponding signature packet|Signature was not issued by|does not match issuer key algorithm|signature salt/i,
  ],
  [
    'openpgp.decryption_failed',
    /Session key decryption failed|Modification detected|Authentication tag mismatch|Decryption error|Decryption failed|non-preferred symmetric algorithm|No decryption key packets found|Key Data Integrity failed|Invalid session key|Unexpected session key|Unexpected cleartext symmetric algorithm|Message is not authenticated/,
  ],
  [
    'openpgp.malformed',
    /Error during parsing|Unexpected end of packet|Missing trailing signature|Trailing signature packet without OPS|Unexpected packet \d+ in state|OPS following|Packet not allowed|not allowed in this context|GrammarError|Data does not match|Unsupported|Unknown packet|Invalid enum value|partial lengths|Error reading MPIs|Misformed armored text|Unknown ASCII armor|Can only verify message with one literal data packet|No encrypted data found|No literal data|Invalid oid|Unknown curve/i,
  ],
];

/**
 * Turns whatever openpgp threw into an OpenPgpError; `fallback` is used for messages no rule
 * knows, so callers never see a bare Error for a bad message.
 */
export function toOpenPgpError(error: unknown, fallback: string): OpenPgpError {
  if (error instanceof OpenPgpError) return error;
  const message = describeError(error);
  const rule = RULES.find(([, pattern]) => pattern.test(message));
  return new OpenPgpError(rule?.[0] ?? fallback, message);
}

/** One readable line from an error and its causes, without openpgp's minified class names. */
export function describeError(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const text = current instanceof Error ? current.message : String(current);
    // openpgp appends the cause's message to the wrapper's, so the same text can come twice.
    if (!messages.some((seen) => seen.includes(text))) messages.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages
    .join(': ')
    .replace(/Parsing \S+ failed: /g, '')
    .replace(/^Error (decrypting|verifying signed) message: /, '');
}
