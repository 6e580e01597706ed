import * as openpgp from 'openpgp';

import { type AgencySigningKey, isValidAt, loadAgencyKeys } from './agency-keys';
import { toOpenPgpError } from './error-mapping';
import { OpenPgpError } from './errors';
import { decodeDocumentContent, readEncryptedMessage } from './intake';
import { DEFAULT_OPENPGP_LIMITS, type OpenPgpLimits } from './limits';
import { strictConfig } from './openpgp-config';
import { type SignerContext, acceptSignature, explainSignatureError } from './signatures';
import { withTimeout } from './timeout';

export type { AgencySigningKey } from './agency-keys';

export interface OpenedDocument {
  plaintext: Uint8Array;
  signerFingerprint: string;
  /**
   * Binary OpenPGP signature over the plaintext, verifiable later with
   * openpgp.verify({ message: createMessage({ binary: plaintext }), signature }).
   */
  detachedSignature: Uint8Array;
}

export interface OpenDocumentOptions {
  platformKey: openpgp.PrivateKey;
  agencyKeys: AgencySigningKey[];
  /** Time of sending: decides which agency keys count. */
  at: Date;
  limits: OpenPgpLimits;
}

/**
 * An agency's clock may run a little ahead of ours; without this margin a letter signed and
 * sent within the same minute would fail with "signature creation time is in the future".
 */
export const SIGNATURE_CLOCK_SKEW_MS = 5 * 60 * 1000;

// Detached signatures are a few hundred bytes per signer.
const MAX_DETACHED_SIGNATURE_BYTES = 64 * 1024;

/**
 * Worker side: decrypts with the platform key and insists on a signature by one of the
 * agency's keys valid at `at`. Accepts the message binary, armored or base64.
 */
export async function openDocument(
  bytes: Uint8Array,
  opts: OpenDocumentOptions,
): Promise<OpenedDocument> {
  const timeoutMs = opts.limits.timeoutMs ?? DEFAULT_OPENPGP_LIMITS.timeoutMs ?? Infinity;
  return withTimeout(openWithinLimits(bytes, opts), timeoutMs, 'opening the document');
}

async function openWithinLimits(
  bytes: Uint8Array,
  opts: OpenDocumentOptions,
): Promise<OpenedDocument> {
  const { platformKey, agencyKeys, at, limits } = opts;
  const binary = asBinaryMessage(bytes, limits);
  const platformKeyIds = await decryptionKeyIds(platformKey);
  const message = await readEncryptedMessage(binary, platformKeyIds, limits);
  const context = await signerContext(agencyKeys, at, limits.maxPackets);

  let result;
  try {
    result = await openpgp.decrypt({
      message,
      decryptionKeys: platformKey,
      verificationKeys: context.validKeys.map((loaded) => loaded.key),
      // With no valid key openpgp would refuse before telling "unsigned" from "unknown
      // signer"; acceptSignature makes that distinction instead.
      expectSigned: context.validKeys.length > 0,
      format: 'binary',
      date: verificationDate(at),
      config: strictConfig(limits),
    });
  } catch (error) {
    throw await explainSignatureError(toOpenPgpError(error, 'openpgp.decryption_failed'), context);
  }
  const accepted = await acceptSignature(result.signatures, context);
  return {
    plaintext: result.data,
    signerFingerprint: accepted.signerFingerprint,
    detachedSignature: accepted.signature,
  };
}

/**
 * End-to-end letters: the platform cannot decrypt them, so it checks the agency's detached
 * signature over the ciphertext bytes instead. `signature` may be binary or armored.
 */
export async function verifyDetachedSignature(
  data: Uint8Array,
  signature: Uint8Array,
  agencyKeys: AgencySigningKey[],
  at: Date,
): Promise<{ signerFingerprint: string }> {
  const parsed = await readDetachedSignature(signature);
  const context = await signerContext(agencyKeys, at, DEFAULT_OPENPGP_LIMITS.maxPackets);
  let result;
  try {
    result = await openpgp.verify({
      message: await openpgp.createMessage({ binary: data }),
      signature: parsed,
      verificationKeys: context.validKeys.map((loaded) => loaded.key),
      expectSigned: context.validKeys.length > 0,
      format: 'binary',
      date: verificationDate(at),
      config: strictConfig(),
    });
  } catch (error) {
    throw await explainSignatureError(error, context);
  }
  const accepted = await acceptSignature(result.signatures, context);
  return { signerFingerprint: accepted.signerFingerprint };
}

async function readDetachedSignature(signature: Uint8Array): Promise<openpgp.Signature> {
  if (signature.length === 0) {
    throw new OpenPgpError('openpgp.not_signed', 'signature is empty');
  }
  if (signature.length > MAX_DETACHED_SIGNATURE_BYTES) {
    throw new OpenPgpError(
      'openpgp.too_large',
      `signature of ${signature.length} bytes exceeds ${MAX_DETACHED_SIGNATURE_BYTES} bytes`,
    );
  }
  try {
    // Binary OpenPGP always starts with a byte >= 0x80; armor is ASCII.
    return signature[0] !== undefined && signature[0] >= 0x80
      ? await openpgp.readSignature({ binarySignature: signature, config: strictConfig() })
      : await openpgp.readSignature({
          armoredSignature: Buffer.from(signature).toString('latin1'),
          config: strictConfig(),
        });
  } catch (error) {
    throw new OpenPgpError(
      'openpgp.malformed',
      `signature cannot be parsed: ${toOpenPgpError(error, 'openpgp.malformed').detail}`,
    );
  }
}

async function signerContext(
  agencyKeys: AgencySigningKey[],
  at: Date,
  maxSignatures: number,
): Promise<SignerContext> {
  const validKeys = await loadAgencyKeys(agencyKeys.filter((entry) => isValidAt(entry, at)));
  return { validKeys, allKeys: agencyKeys, at, maxSignatures };
}

async function decryptionKeyIds(platformKey: openpgp.PrivateKey): Promise<string[]> {
  const keys = await platformKey.getDecryptionKeys().catch(() => []);
  return keys.map((key) => key.getKeyID().toHex());
}

function asBinaryMessage(bytes: Uint8Array, limits: OpenPgpLimits): Uint8Array {
  // Binary OpenPGP starts with a packet header byte >= 0x80; armor and base64 are ASCII.
  if (bytes.length === 0 || (bytes[0] ?? 0) >= 0x80) return bytes;
  return decodeDocumentContent(Buffer.from(bytes).toString('latin1'), limits);
}

function verificationDate(at: Date): Date {
  return new Date(at.getTime() + SIGNATURE_CLOCK_SKEW_MS);
}
