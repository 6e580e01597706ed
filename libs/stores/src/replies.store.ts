import type { MailboxScope } from '#access';
import { parseReceiptPayload } from '#evidence';
import { ColumnTypeError, bytes, date, int, json, jsonRows, nullable, text } from './columns';
import type { UnsequencedPayload } from './receipts.store';
import type { Row, Sql } from './sql';

export interface ReplyDocumentToStore {
  id: string;
  position: number;
  filename: string;
  mediaType: string;
  content: Uint8Array;
  sha256: Buffer;
}

export interface ReplyToStore {
  id: string;
  agencyId: string;
  mailboxId: string;
  /** The letter answered; null for a new message, which has a topic. */
  letterId: string | null;
  topic: string | null;
  actorRole: string;
  encryptionKeyFingerprint: string;
  receivedReceiptId: string;
}

export interface ReplyDocumentMeta {
  id: string;
  filename: string;
  mediaType: string;
  /** Bytes of the OpenPGP message as received. */
  size: number;
  sha256: string;
}

/** A reply as the agency it was sent to collects it. */
export interface AgencyReply {
  id: string;
  letterId: string | null;
  topic: string | null;
  at: Date;
  actorRole: string;
  encryptionKeyFingerprint: string;
  /** The reply_received receipt's place in the log: the feed's cursor. */
  logIndex: number;
  documents: ReplyDocumentMeta[];
}

export interface ReplyDocumentContent {
  id: string;
  content: Buffer;
}

/** A reply as the mailbox it was written from sees it, with the citizen's receipt. */
export interface MailboxReply {
  id: string;
  letterId: string | null;
  topic: string | null;
  agency: { id: string; name: string };
  at: Date;
  actorRole: string;
  documents: ReplyDocumentMeta[];
  receipt: { payload: UnsequencedPayload; logIndex: number | null; jws: string | null };
}

function decodeDocuments(r: Row): ReplyDocumentMeta[] {
  return jsonRows(r, 'documents', (d) => ({
    id: text(d, 'id'),
    filename: text(d, 'filename'),
    mediaType: text(d, 'mediaType'),
    size: int(d, 'size'),
    sha256: text(d, 'sha256'),
  }));
}

const DOCUMENTS = `COALESCE((SELECT json_agg(json_build_object('id', d.id, 'filename', d.filename,
    'mediaType', d.media_type, 'size', octet_length(d.content), 'sha256', encode(d.sha256, 'hex'))
    ORDER BY d.position) FROM reply_documents d WHERE d.reply_id = r.id), '[]') AS documents`;

const AGENCY_REPLY = `SELECT r.id, r.letter_id, r.topic, r.created_at, r.actor_role,
    r.encryption_key_fingerprint, g.log_index, ${DOCUMENTS}
  FROM replies r JOIN receipt_log g ON g.receipt_id = r.received_receipt_id`;

const decodeAgencyReply = (r: Row): AgencyReply => ({
  id: text(r, 'id'),
  letterId: nullable(text)(r, 'letter_id'),
  topic: nullable(text)(r, 'topic'),
  at: date(r, 'created_at'),
  actorRole: text(r, 'actor_role'),
  encryptionKeyFingerprint: text(r, 'encryption_key_fingerprint'),
  logIndex: int(r, 'log_index'),
  documents: decodeDocuments(r),
});

// A message's receipts are filed under its own id (it has no letter); with the letter id the
// receipt is found in one partition when receipts are partitioned.
const MAILBOX_REPLY = `SELECT r.id, r.letter_id, r.topic, r.agency_id, a.name AS agency_name, r.created_at,
    r.actor_role, ${DOCUMENTS}, c.payload, c.log_index, g.jws
  FROM replies r
  JOIN agencies a ON a.id = r.agency_id
  JOIN receipts c ON c.id = r.received_receipt_id AND c.letter_id = COALESCE(r.letter_id, r.id)
  LEFT JOIN receipt_log g ON g.log_index = c.log_index AND g.receipt_id = c.id`;

function decodeMailboxReply(r: Row): MailboxReply {
  const payload = json(r, 'payload');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new ColumnTypeError('payload', 'a json object', payload);
  const { logIndex: _, ...checked } = parseReceiptPayload({ ...payload, logIndex: 0 });
  return {
    id: text(r, 'id'),
    letterId: nullable(text)(r, 'letter_id'),
    topic: nullable(text)(r, 'topic'),
    agency: { id: text(r, 'agency_id'), name: text(r, 'agency_name') },
    at: date(r, 'created_at'),
    actorRole: text(r, 'actor_role'),
    documents: decodeDocuments(r),
    receipt: {
      payload: checked,
      logIndex: nullable(int)(r, 'log_index'),
      jws: nullable(text)(r, 'jws'),
    },
  };
}

/**
 * Replies and new messages citizens send agencies, with their documents as received (OpenPGP
 * messages only the agency can open). An agency reads only its own; a mailbox only its own.
 */
export class RepliesStore {
  async insert(tx: Sql, reply: ReplyToStore, documents: ReplyDocumentToStore[]): Promise<void> {
    await tx.run(
      `INSERT INTO replies (id, agency_id, mailbox_id, letter_id, topic, actor_role,
         encryption_key_fingerprint, received_receipt_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        reply.id,
        reply.agencyId,
        reply.mailboxId,
        reply.letterId,
        reply.topic,
        reply.actorRole,
        reply.encryptionKeyFingerprint,
        reply.receivedReceiptId,
      ],
    );
    // One statement per document: they are up to 20 MB each (see SEPARATE_DOCUMENT_BYTES).
    for (const d of documents)
      await tx.run(
        `INSERT INTO reply_documents (id, reply_id, position, filename, media_type, content, sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [d.id, reply.id, d.position, d.filename, d.mediaType, d.content, d.sha256],
      );
  }

  /** Whether `replyId` is a reply this mailbox sent this agency (what a letter may answer). */
  async isFrom(tx: Sql, replyId: string, agencyId: string, mailboxId: string): Promise<boolean> {
    const found = await tx.count(
      'SELECT 1 FROM replies WHERE id = $1 AND agency_id = $2 AND mailbox_id = $3',
      [replyId, agencyId, mailboxId],
    );
    return found > 0;
  }

  /**
   * The agency's replies whose receipt is in the log after `afterLogIndex`, in log order: the
   * log index only grows, so a saved cursor never skips a reply committed late.
   */
  feed(sql: Sql, agencyId: string, afterLogIndex: number, limit: number): Promise<AgencyReply[]> {
    return sql.rows(
      `${AGENCY_REPLY}
        WHERE g.agency_id = $1 AND g.type = 'reply_received' AND g.log_index > $2 AND r.agency_id = $1
        ORDER BY g.log_index LIMIT $3`,
      [agencyId, afterLogIndex, limit],
      decodeAgencyReply,
    );
  }

  /** One of the agency's replies once it is in the log; null for another agency's or none. */
  ofAgency(sql: Sql, agencyId: string, replyId: string): Promise<AgencyReply | null> {
    return sql.maybeOne(
      `${AGENCY_REPLY} WHERE r.id = $1 AND r.agency_id = $2`,
      [replyId, agencyId],
      decodeAgencyReply,
    );
  }

  /** The documents' bytes as received, in order. */
  contentOf(sql: Sql, replyId: string): Promise<ReplyDocumentContent[]> {
    return sql.rows(
      'SELECT id, content FROM reply_documents WHERE reply_id = $1 ORDER BY position',
      [replyId],
      (r) => ({ id: text(r, 'id'), content: bytes(r, 'content') }),
    );
  }

  /** The mailbox's replies to one letter, oldest first, each with its reply_received receipt. */
  toLetter(sql: Sql, scope: MailboxScope, letterId: string): Promise<MailboxReply[]> {
    return sql.rows(
      `${MAILBOX_REPLY} WHERE r.mailbox_id = $1 AND r.letter_id = $2 ORDER BY r.created_at, r.id`,
      [scope.mailboxId, letterId],
      decodeMailboxReply,
    );
  }

  /** One reply or message the mailbox sent; null for another mailbox's or none. */
  ofMailbox(sql: Sql, scope: MailboxScope, replyId: string): Promise<MailboxReply | null> {
    return sql.maybeOne(
      `${MAILBOX_REPLY} WHERE r.mailbox_id = $1 AND r.id = $2`,
      [scope.mailboxId, replyId],
      decodeMailboxReply,
    );
  }

  /**
   * What the mailbox sent (replies and messages), newest first, after the keyset position
   * (created_at, id) of the page before; up to `limit + 1` so the caller knows if more follow.
   */
  sentBy(
    sql: Sql,
    scope: MailboxScope,
    limit: number,
    after: readonly [string, string] | null,
  ): Promise<MailboxReply[]> {
    return sql.rows(
      `${MAILBOX_REPLY} WHERE r.mailbox_id = $1
          AND ($2::timestamptz IS NULL OR (r.created_at, r.id) < ($2::timestamptz, $3::uuid))
        ORDER BY r.created_at DESC, r.id DESC LIMIT $4`,
      [scope.mailboxId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      decodeMailboxReply,
    );
  }
}
