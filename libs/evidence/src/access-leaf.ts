import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { canonicalJson } from './canonical';
import {
  assertIndex,
  assertNonEmptyString,
  assertShape,
  assertSha256Base64url,
  assertTimestamp,
  isObject,
} from './payload-checks';
import type { SigningKey } from './signing-key';
import { signTyped, verifyTyped } from './typed-jws';
import type { VerificationKeys } from './verification-keys';

export const ACCESS_LEAF_JWS_TYPE = 'postkasse-access-leaf+jws';

/**
 * An access-log entry as its leaf commits to it: every field the citizen is shown, in the form
 * the API serves it, so the citizen (or anyone they hand it to) can hash it again.
 */
export interface AccessEntryRecord {
  id: string;
  /** When Postkasse recorded it (RFC 3339, milliseconds): the leaf's time. */
  at: string;
  /** `role`: in which role a person acting for the mailbox acted (guardian, employee, ...). */
  actor: { kind: string; id: string; name: string; role?: string };
  action: string;
  purpose: string;
  letterId?: string;
  /** What an agency reported about its own systems (an access notice). */
  notice?: { dataCategory: string; legalBasis: string; occurredAt: string; system?: string };
  withheld?: { until: string; reason: string };
}

/**
 * The signed leaf of an access-log entry: no personal data, only the mailbox's pseudonymous
 * recipientRef, the time the leaf was committed (moments after the entry was written) and a
 * hash of the entry.
 */
export interface AccessLeafPayload {
  recipientRef: string;
  /** When the leaf was committed to the log: within a day after the time its entry claims. */
  at: string;
  /** SHA-256 of the entry's RFC 8785 form, base64url. */
  entryHash: string;
  logIndex: number;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** SHA-256 of the RFC 8785 form of the entry, base64url: what its leaf signs. */
export function accessEntryHash(entry: AccessEntryRecord): string {
  return createHash('sha256').update(canonicalJson(entry), 'utf8').digest('base64url');
}

/** Checks that `value` looks like an entry as served, and returns it typed; throws otherwise. */
export function parseAccessEntryRecord(value: unknown): AccessEntryRecord {
  assertShape(
    value,
    'access entry',
    ['id', 'at', 'actor', 'action', 'purpose'],
    ['letterId', 'notice', 'withheld'],
  );
  assertNonEmptyString(value.id, 'access entry id');
  assertTimestamp(value.at, 'access entry at');
  assertShape(value.actor, 'access entry actor', ['kind', 'id', 'name'], ['role']);
  assertNonEmptyString(value.action, 'access entry action');
  if (typeof value.purpose !== 'string') throw new TypeError('access entry purpose must be text');
  if (value.notice !== undefined && !isObject(value.notice))
    throw new TypeError('access entry notice must be an object');
  if (value.withheld !== undefined && !isObject(value.withheld))
    throw new TypeError('access entry withheld must be an object');
  return value as unknown as AccessEntryRecord;
}

export function parseAccessLeafPayload(value: unknown): AccessLeafPayload {
  assertShape(value, 'access leaf', ['recipientRef', 'at', 'entryHash', 'logIndex']);
  if (typeof value.recipientRef !== 'string' || !BASE64URL.test(value.recipientRef)) {
    throw new TypeError('access leaf recipientRef must be base64url');
  }
  assertTimestamp(value.at, 'access leaf at');
  assertSha256Base64url(value.entryHash, 'access leaf entryHash');
  assertIndex(value.logIndex, 'access leaf logIndex');
  return value as unknown as AccessLeafPayload;
}

export async function signAccessLeaf(leaf: AccessLeafPayload, key: SigningKey): Promise<string> {
  // Checked before signing: a signature is forever, and the log is insert-only.
  return signTyped(parseAccessLeafPayload(leaf), ACCESS_LEAF_JWS_TYPE, key);
}

export async function verifyAccessLeaf(
  jws: string,
  keys: readonly JWK[] | VerificationKeys,
): Promise<AccessLeafPayload> {
  return parseAccessLeafPayload(await verifyTyped(jws, ACCESS_LEAF_JWS_TYPE, keys));
}

/**
 * How long after its entry's time a leaf may be committed: the sequencer appends it within a
 * second or so, and a day covers a sequencer that was down for hours. An entry whose leaf came
 * later than that was not written when it says (DESIGN: "committed on the day it claims").
 */
export const ACCESS_LEAF_MAX_DELAY_MS = 86_400_000;
