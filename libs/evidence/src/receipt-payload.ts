import {
  assertIndex,
  assertNonEmptyString,
  assertShape,
  assertSha256Hex,
  assertTimestamp,
} from './payload-checks';

export const RECEIPT_TYPES = [
  'accepted',
  'rejected',
  'delivered',
  'forwarded_to_print',
  'read',
  'acknowledged',
  'withdrawn',
  'notified',
  'notification_failed',
  'reminder_sent',
] as const;

export type ReceiptType = (typeof RECEIPT_TYPES)[number];

export type NotificationKind = 'notify' | 'reminder';

export interface ReceiptDocument {
  /** SHA-256 (lowercase hex) of the OpenPGP message as the agency sent it. */
  ciphertextSha256: string;
  /** SHA-256 (lowercase hex) of the decrypted document; known from `delivered` on. */
  plaintextSha256?: string;
}

export interface ReceiptPayload {
  letterId: string;
  type: ReceiptType;
  kind?: NotificationKind;
  at: string;
  agencyId: string;
  recipientRef: string;
  documents: ReceiptDocument[];
  reason?: { code: string; detail: string };
  /** `read` and `acknowledged`: the role the reader acted in (`owner`, `guardian`, ...). */
  actorRole?: ActorRole;
  /** `read` and `acknowledged`: an HMAC reference of the person who acted, never a number. */
  actorRef?: string;
  logIndex: number;
}

/** The roles a reader may act in (DESIGN "Who may act"). */
export const ACTOR_ROLES = [
  'owner',
  'grantee',
  'guardian',
  'executor',
  'administrator',
  'employee',
] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];
/** Receipts that say who acted; older ones of these types, signed before, say nothing and stay valid. */
const TYPES_WITH_ACTOR: readonly ReceiptType[] = ['read', 'acknowledged'];

// The design names which receipts carry a kind and a reason; holding payloads to it here means
// neither the signer nor a verifier can be handed a receipt that breaks it.
const NOTIFICATION_TYPES: readonly ReceiptType[] = [
  'notified',
  'notification_failed',
  'reminder_sent',
];
const TYPES_WITH_REASON: readonly ReceiptType[] = ['rejected', 'notification_failed'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Checks that `value` is a well-formed receipt payload and returns it typed; throws otherwise. */
export function parseReceiptPayload(value: unknown): ReceiptPayload {
  assertShape(
    value,
    'receipt',
    ['letterId', 'type', 'at', 'agencyId', 'recipientRef', 'documents', 'logIndex'],
    ['kind', 'reason', 'actorRole', 'actorRef'],
  );
  const { letterId, type, kind, at, agencyId, recipientRef, documents, reason, logIndex } = value;
  const { actorRole, actorRef } = value;
  assertNonEmptyString(letterId, 'receipt letterId');
  if (!RECEIPT_TYPES.includes(type as ReceiptType)) {
    throw new TypeError(`receipt type ${JSON.stringify(type)} is unknown`);
  }
  const receiptType = type as ReceiptType;
  if (kind !== undefined) {
    if (kind !== 'notify' && kind !== 'reminder') {
      throw new TypeError('receipt kind must be notify or reminder');
    }
    if (!NOTIFICATION_TYPES.includes(receiptType)) {
      throw new TypeError(`a ${receiptType} receipt has no kind`);
    }
  } else if (receiptType === 'notification_failed') {
    throw new TypeError('a notification_failed receipt must say which notification failed');
  }
  assertTimestamp(at, 'receipt at');
  assertNonEmptyString(agencyId, 'receipt agencyId');
  if (typeof recipientRef !== 'string' || !BASE64URL.test(recipientRef)) {
    throw new TypeError('receipt recipientRef must be base64url');
  }
  if (!Array.isArray(documents)) throw new TypeError('receipt documents must be an array');
  documents.forEach((doc: unknown, i) => {
    assertShape(doc, `receipt document ${i}`, ['ciphertextSha256'], ['plaintextSha256']);
    assertSha256Hex(doc.ciphertextSha256, `receipt document ${i} ciphertextSha256`);
    if (doc.plaintextSha256 !== undefined) {
      assertSha256Hex(doc.plaintextSha256, `receipt document ${i} plaintextSha256`);
    }
  });
  if (reason !== undefined) {
    if (!TYPES_WITH_REASON.includes(receiptType)) {
      throw new TypeError(`a ${receiptType} receipt has no reason`);
    }
    assertShape(reason, 'receipt reason', ['code', 'detail']);
    assertNonEmptyString(reason.code, 'receipt reason code');
    if (typeof reason.detail !== 'string')
      throw new TypeError('receipt reason detail must be a string');
  } else if (TYPES_WITH_REASON.includes(receiptType)) {
    throw new TypeError(`a ${receiptType} receipt must give a reason`);
  }
  if (actorRole !== undefined || actorRef !== undefined) {
    if (!TYPES_WITH_ACTOR.includes(receiptType))
      throw new TypeError(`a ${receiptType} receipt names no actor`);
    if (!ACTOR_ROLES.includes(actorRole as ActorRole))
      throw new TypeError(`receipt actorRole ${JSON.stringify(actorRole)} is unknown`);
    if (typeof actorRef !== 'string' || !BASE64URL.test(actorRef))
      throw new TypeError('receipt actorRef must be base64url');
  }
  assertIndex(logIndex, 'receipt logIndex');
  return value as unknown as ReceiptPayload;
}
