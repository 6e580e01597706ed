import { Base64FormatError, decodeBase64Strict } from './base64';
import { EnvelopeError } from './errors';

export interface MasterKeyring {
  current: { version: number; key: Buffer };
  /** Throws EnvelopeError for a version the configuration does not hold. */
  byVersion(version: number): Buffer;
}

const ENTRY = /^(\d+):(.*)$/s;

/**
 * Parses "1:BASE64,2:BASE64". The highest version encrypts; older ones stay for unwrapping
 * until every data key has been rewrapped. Messages never include key material.
 */
export function parseMasterKeys(spec: string): MasterKeyring {
  const keys = new Map<number, Buffer>();
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const [index, entry] of entries.entries()) {
    const match = ENTRY.exec(entry);
    if (!match) {
      throw new EnvelopeError(`master key entry ${index + 1} is not "VERSION:BASE64"`);
    }
    const version = Number(match[1]);
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new EnvelopeError(
        `master key entry ${index + 1} has version ${match[1]}; use 1 or more`,
      );
    }
    if (keys.has(version)) {
      throw new EnvelopeError(`master key version ${version} appears twice`);
    }
    keys.set(version, decodeKey(match[2] ?? '', version));
  }
  if (keys.size === 0) {
    throw new EnvelopeError('no master keys configured');
  }
  const [version, key] = [...keys].reduce((highest, entry) =>
    entry[0] > highest[0] ? entry : highest,
  );
  return {
    current: { version, key },
    byVersion(version: number): Buffer {
      const key = keys.get(version);
      if (!key) throw new EnvelopeError(`master key version ${version} is not configured`);
      return key;
    },
  };
}

function decodeKey(base64: string, version: number): Buffer {
  let key: Buffer;
  try {
    key = decodeBase64Strict(base64.trim());
  } catch (error) {
    if (!(error instanceof Base64FormatError)) throw error;
    throw new EnvelopeError(`master key version ${version} is not valid base64: ${error.reason}`);
  }
  if (key.length !== 32) {
    throw new EnvelopeError(`master key version ${version} is ${key.length} bytes; it must be 32`);
  }
  return key;
}
