// Keys and messages for the unit tests, made with openpgp.js the way an agency's software would.
import * as openpgp from 'openpgp';

import type { AgencySigningKey } from '../agency-keys';

export const LONG_AGO = new Date('2020-01-01T00:00:00Z');

export interface TestSigner {
  privateKey: openpgp.PrivateKey;
  entry: AgencySigningKey;
}

export async function makeSigner(
  type: 'curve25519' | 'rsa3072',
  registry: Partial<Pick<AgencySigningKey, 'addedAt' | 'revokedAt'>> = {},
): Promise<TestSigner> {
  const { privateKey } = await openpgp.generateKey({
    ...(type === 'rsa3072'
      ? { type: 'rsa' as const, rsaBits: 3072 }
      : { type: 'ecc' as const, curve: 'curve25519Legacy' as const }),
    userIDs: [{ name: `Agency ${type}`, email: 'post@agency.example' }],
    format: 'object',
  });
  return { privateKey, entry: registryEntry(privateKey, registry) };
}

export function registryEntry(
  key: openpgp.Key,
  registry: Partial<Pick<AgencySigningKey, 'addedAt' | 'revokedAt'>> = {},
): AgencySigningKey {
  return {
    fingerprint: key.getFingerprint(),
    publicKeyArmored: key.toPublic().armor(),
    addedAt: registry.addedAt ?? LONG_AGO,
    revokedAt: registry.revokedAt ?? null,
  };
}

export interface EncryptOptions {
  to: openpgp.Key;
  signers?: openpgp.PrivateKey[];
  compression?: 'uncompressed' | 'zip' | 'zlib';
  wildcard?: boolean;
}

export async function encryptBinary(
  plaintext: Uint8Array,
  options: EncryptOptions,
): Promise<Uint8Array> {
  return openpgp.encrypt({
    ...encryptParams(options),
    message: await openpgp.createMessage({ binary: plaintext }),
    format: 'binary',
  });
}

export async function encryptArmored(
  plaintext: Uint8Array,
  options: EncryptOptions,
): Promise<string> {
  return openpgp.encrypt({
    ...encryptParams(options),
    message: await openpgp.createMessage({ binary: plaintext }),
  });
}

function encryptParams(options: EncryptOptions) {
  return {
    encryptionKeys: options.to,
    ...(options.signers ? { signingKeys: options.signers } : {}),
    wildcard: options.wildcard ?? false,
    config: {
      preferredCompressionAlgorithm:
        openpgp.enums.compression[options.compression ?? 'uncompressed'],
    },
  };
}

/** Encrypts a ready-made packet sequence, for messages openpgp.js would refuse to compose. */
export async function encryptPackets(
  packets: openpgp.AnyPacket[],
  to: openpgp.Key,
): Promise<Uint8Array> {
  const list = new openpgp.PacketList<openpgp.AnyPacket>();
  list.push(...packets);
  return openpgp.encrypt({
    message: new openpgp.Message(list),
    encryptionKeys: to,
    format: 'binary',
  });
}

export async function literalPacket(data: Uint8Array): Promise<openpgp.LiteralDataPacket> {
  const [literal] = (await openpgp.createMessage({ binary: data })).packets;
  if (!(literal instanceof openpgp.LiteralDataPacket)) throw new Error('no literal data packet');
  return literal;
}

// openpgp's declarations omit the config parameter, without which sign() cannot run.
type SignWithConfig = (
  key: openpgp.AnyKeyPacket,
  data: openpgp.LiteralDataPacket,
  date: Date,
  detached: boolean,
  config: openpgp.Config,
) => Promise<void>;

/**
 * A signature with a chosen hash. openpgp.js picks hashes from key preferences and salts
 * signatures with a notation whose size only modern hashes define, so SHA-1 needs this route.
 */
export async function signaturePacket(
  signer: openpgp.PrivateKey,
  literal: openpgp.LiteralDataPacket,
  hash: 'sha1' | 'sha256',
  detached = false,
): Promise<openpgp.SignaturePacket> {
  const signature = new openpgp.SignaturePacket();
  signature.signatureType = openpgp.enums.signature.binary;
  signature.publicKeyAlgorithm = signer.keyPacket.algorithm;
  signature.hashAlgorithm = openpgp.enums.hash[hash];
  const config = {
    ...openpgp.config,
    rejectMessageHashAlgorithms: new Set<openpgp.enums.hash>(),
    nonDeterministicSignaturesViaNotation: false,
  };
  const sign = signature.sign.bind(signature) as unknown as SignWithConfig;
  await sign(signer.keyPacket, literal, new Date(), detached, config);
  return signature;
}

export async function detachedSignature(
  data: Uint8Array,
  signer: openpgp.PrivateKey,
  format: 'binary' | 'armored' = 'binary',
): Promise<Uint8Array> {
  const message = await openpgp.createMessage({ binary: data });
  if (format === 'binary') {
    return openpgp.sign({ message, signingKeys: signer, detached: true, format: 'binary' });
  }
  const armored = await openpgp.sign({ message, signingKeys: signer, detached: true });
  return new TextEncoder().encode(armored);
}

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
