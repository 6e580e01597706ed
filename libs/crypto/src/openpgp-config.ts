import * as openpgp from 'openpgp';

import type { OpenPgpLimits } from './limits';

const { hash, publicKey } = openpgp.enums;

export const MIN_RSA_BITS = 2048;

/**
 * The settings every platform-side parse, decrypt and verify runs with. Written out in full
 * (not left to openpgp's defaults) so that a library upgrade cannot loosen them unnoticed.
 */
export function strictConfig(limits?: OpenPgpLimits): openpgp.PartialConfig {
  return {
    maxDecompressedMessageSize: limits?.maxDecompressedBytes ?? Infinity,
    rejectMessageHashAlgorithms: new Set([hash.md5, hash.sha1, hash.ripemd]),
    // SHA-1 stays acceptable inside keys: long-lived GnuPG keys carry SHA-1 self-signatures
    // and binding signatures, and refusing those would lock out working agency keys.
    rejectHashAlgorithms: new Set([hash.md5, hash.ripemd]),
    rejectPublicKeyAlgorithms: new Set([publicKey.elgamal, publicKey.dsa]),
    minRSABits: MIN_RSA_BITS,
    allowUnauthenticatedMessages: false,
    allowUnauthenticatedStream: false,
    allowInsecureDecryptionWithSigningKeys: false,
    allowInsecureVerificationWithReformattedKeys: false,
    enforceGrammar: true,
    ignoreMalformedPackets: false,
  };
}
