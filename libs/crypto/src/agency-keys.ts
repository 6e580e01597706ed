import * as openpgp from 'openpgp';

export interface AgencySigningKey {
  /** Primary key fingerprint, lowercase hex. */
  fingerprint: string;
  publicKeyArmored: string;
  addedAt: Date;
  revokedAt: Date | null;
}

export interface LoadedAgencyKey {
  entry: AgencySigningKey;
  key: openpgp.PublicKey;
  fingerprint: string;
}

/** The registry's history decides, not the key's own expiry or revocation packets alone. */
export function isValidAt(entry: AgencySigningKey, at: Date): boolean {
  return (
    entry.addedAt.getTime() <= at.getTime() &&
    (entry.revokedAt === null || entry.revokedAt.getTime() > at.getTime())
  );
}

/**
 * Stored keys were checked when they were registered, so a key that no longer parses or whose
 * fingerprint disagrees with its row is a fault of ours; it fails loudly as a plain Error
 * rather than being blamed on the sender's document.
 */
export async function loadAgencyKeys(entries: AgencySigningKey[]): Promise<LoadedAgencyKey[]> {
  return Promise.all(
    entries.map(async (entry) => {
      let key: openpgp.Key;
      try {
        key = await readArmoredKey(entry.publicKeyArmored);
      } catch (error) {
        throw new Error(`stored agency key ${entry.fingerprint} cannot be read`, { cause: error });
      }
      const fingerprint = key.getFingerprint().toLowerCase();
      if (fingerprint !== entry.fingerprint.toLowerCase()) {
        throw new Error(
          `stored agency key ${entry.fingerprint} actually has fingerprint ${fingerprint}`,
        );
      }
      return { entry, key: key.toPublic(), fingerprint };
    }),
  );
}

// Parsing an armored key costs as much as a small document's signature check, and the same few
// agency keys sign every letter. Parsed keys are only read afterwards, so one parse is shared.
const MAX_PARSED_KEYS = 256;
const parsedKeys = new Map<string, Promise<openpgp.Key>>();

function readArmoredKey(armoredKey: string): Promise<openpgp.Key> {
  let parsed = parsedKeys.get(armoredKey);
  if (!parsed) {
    if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.clear();
    parsed = openpgp.readKey({ armoredKey });
    parsedKeys.set(armoredKey, parsed);
    parsed.catch(() => parsedKeys.delete(armoredKey));
  }
  return parsed;
}

/**
 * The agency key (primary or subkey) with this key id (lowercase hex), if any. Compared as
 * hex because openpgp declares a KeyID class in its types but does not export it at runtime.
 */
export function findIssuer(keys: LoadedAgencyKey[], keyId: string): LoadedAgencyKey | undefined {
  return keys.find((loaded) => loaded.key.getKeyIDs().some((id) => id.toHex() === keyId));
}

/**
 * Why a key was not valid at `at`, from all of its validity intervals (the registry keeps one
 * row per interval: a revoked key added again starts a new one).
 */
export function describeValidity(intervals: AgencySigningKey[], at: Date): string {
  const sorted = [...intervals].sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());
  if (sorted.some((entry) => isValidAt(entry, at))) return `was valid at ${at.toISOString()}`;
  const [only] = sorted;
  if (only && sorted.length === 1) {
    if (only.addedAt.getTime() > at.getTime()) {
      return `was only registered at ${only.addedAt.toISOString()}, after ${at.toISOString()}`;
    }
    return `was revoked at ${only.revokedAt!.toISOString()}, before ${at.toISOString()}`;
  }
  const periods = sorted.map(
    (e) =>
      `from ${e.addedAt.toISOString()}${e.revokedAt ? ` until ${e.revokedAt.toISOString()}` : ''}`,
  );
  return `was not valid at ${at.toISOString()}: it was registered ${periods.join(', then ')}`;
}
