import type * as openpgp from 'openpgp';

import {
  type AgencySigningKey,
  type LoadedAgencyKey,
  describeValidity,
  findIssuer,
  loadAgencyKeys,
} from './agency-keys';
import { toOpenPgpError } from './error-mapping';
import { OpenPgpError } from './errors';

type VerificationResult = openpgp.DecryptMessageResult['signatures'][number];

export interface AcceptedSignature {
  signerFingerprint: string;
  /** The accepted signature packet alone, serialized; it verifies detached over the data. */
  signature: Uint8Array;
}

export interface SignerContext {
  /** Agency keys valid at `at`; only these were given to openpgp for verification. */
  validKeys: LoadedAgencyKey[];
  /** The agency's whole key history, consulted only to explain a rejection. */
  allKeys: AgencySigningKey[];
  at: Date;
  maxSignatures: number;
}

/** Picks the first signature made by a currently valid agency key, or explains why none was. */
export async function acceptSignature(
  results: VerificationResult[],
  context: SignerContext,
): Promise<AcceptedSignature> {
  if (results.length === 0) {
    throw new OpenPgpError('openpgp.not_signed', 'message carries no signature');
  }
  if (results.length > context.maxSignatures) {
    throw new OpenPgpError(
      'openpgp.too_many_packets',
      `message carries ${results.length} signatures, more than ${context.maxSignatures}`,
    );
  }
  const failures: { keyId: string; error: unknown }[] = [];
  for (const result of results) {
    try {
      await result.verified;
    } catch (error) {
      failures.push({ keyId: result.keyID.toHex(), error });
      continue;
    }
    const issuer = findIssuer(context.validKeys, result.keyID.toHex());
    if (!issuer) continue;
    const signature = (await result.signature).write();
    if (!(signature instanceof Uint8Array)) {
      throw new Error('openpgp returned a streamed signature for in-memory input');
    }
    return { signerFingerprint: issuer.fingerprint, signature };
  }
  // A failure from one of the agency's own keys says more than one from a stranger's key.
  const failure = failures.find(({ keyId }) => findIssuer(context.validKeys, keyId)) ?? failures[0];
  if (!failure) {
    throw new OpenPgpError('openpgp.unknown_signer', 'no signature by a valid agency key');
  }
  throw await explainSignatureError(failure.error, context, failure.keyId);
}

/**
 * Maps a verification failure to an OpenPgpError; for an unknown signer it says whose key it
 * was when the key belongs to the agency but was not valid at the time of sending.
 */
export async function explainSignatureError(
  error: unknown,
  context: SignerContext,
  keyId?: string,
): Promise<OpenPgpError> {
  const mapped = toOpenPgpError(error, 'openpgp.bad_signature');
  if (mapped.code !== 'openpgp.unknown_signer') return mapped;

  const issuerId = keyId ?? keyIdFromMessage(mapped.detail);
  if (!issuerId) {
    return new OpenPgpError(
      'openpgp.unknown_signer',
      `no signing key of the agency was valid at ${context.at.toISOString()}`,
    );
  }
  const valid = findIssuer(context.validKeys, issuerId);
  if (valid) {
    return new OpenPgpError(
      'openpgp.unknown_signer',
      `agency key ${valid.fingerprint} cannot be used for this signature: ${mapped.detail}`,
    );
  }
  const known = findIssuer(await loadQuietly(context.allKeys), issuerId);
  if (known) {
    return new OpenPgpError(
      'openpgp.unknown_signer',
      `signed with agency key ${known.fingerprint}, which ${describeValidity(intervalsOf(context.allKeys, known.fingerprint), context.at)}`,
    );
  }
  return new OpenPgpError(
    'openpgp.unknown_signer',
    `signed with key id ${issuerId}, which is not a registered signing key of this agency`,
  );
}

function intervalsOf(entries: AgencySigningKey[], fingerprint: string): AgencySigningKey[] {
  return entries.filter((entry) => entry.fingerprint.toLowerCase() === fingerprint);
}

function keyIdFromMessage(message: string): string | undefined {
  return /key ID ([0-9a-f]{16})/i.exec(message)?.[1]?.toLowerCase();
}

// Only used to word an error message, so a broken old key must not hide the real reason.
async function loadQuietly(entries: AgencySigningKey[]): Promise<LoadedAgencyKey[]> {
  const loaded = await Promise.all(
    entries.map((entry) =>
      loadAgencyKeys([entry]).then(
        ([key]) => key,
        () => undefined,
      ),
    ),
  );
  return loaded.filter((key): key is LoadedAgencyKey => key !== undefined);
}
