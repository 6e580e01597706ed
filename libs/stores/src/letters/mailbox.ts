import { mailboxToWrite, type MailboxScope } from '#access';
import { LETTER_STATES, VISIBLE_TO_CITIZEN, type LetterState } from '#lifecycle';
import { ColumnTypeError, bool, bytes, date, int, json, nullable, oneOf, text } from '../columns';
import type { Row, Sql } from '../sql';

export const FOLDERS = ['inbox', 'archive', 'trash'] as const;
export type Folder = (typeof FOLDERS)[number];

const state = oneOf(LETTER_STATES);
const folder = oneOf(FOLDERS);
const maybeDate = nullable(date);
const maybeText = nullable(text);

export interface MailboxDocument {
  id: string;
  filename: string;
  mediaType: string;
  size: number | null;
}

/** A letter as its mailbox shows it. */
export interface MailboxLetter {
  id: string;
  sender: { id: string; name: string };
  title: string;
  senderReference: string | null;
  state: LetterState;
  deliveredAt: Date;
  readAt: Date | null;
  /** Not read yet, or marked unread again by the citizen. */
  unread: boolean;
  folder: Folder;
  requiresAcknowledgement: boolean;
  acknowledgedAt: Date | null;
  dueDate: string | null;
  endToEnd: boolean;
  /** Seen only by those with confidential access (this scope has it, or it is not there). */
  confidential: boolean;
  documents: MailboxDocument[];
}

export interface InboxQuery {
  folder: Folder;
  unread?: boolean;
  q?: string;
  limit: number;
  /** The keyset position (delivered_at, id) of the last letter of the page before. */
  after?: readonly [string, string] | null;
}

/** What reading a document needs: the letter's state, the sealed bytes and the mailbox's key. */
export interface DocumentToRead {
  state: LetterState;
  markedUnread: boolean;
  requiresAcknowledgement: boolean;
  endToEnd: boolean;
  document: { id: string; filename: string; mediaType: string; sealed: Buffer } | null;
  mailbox: { id: string; wrappedDataKey: Buffer | null; masterKeyVersion: number };
}

function decodeDocuments(r: Row): MailboxDocument[] {
  if (r.documents === null || r.documents === undefined) return [];
  const value = json(r, 'documents');
  if (!Array.isArray(value)) throw new ColumnTypeError('documents', 'a json array', value);
  return value.map((d: Row) => ({
    id: text(d, 'id'),
    filename: text(d, 'filename'),
    mediaType: text(d, 'mediaType'),
    size: nullable(int)(d, 'size'),
  }));
}

function decodeLetter(r: Row): MailboxLetter {
  return {
    id: text(r, 'id'),
    sender: { id: text(r, 'agency_id'), name: text(r, 'agency_name') },
    title: text(r, 'title'),
    senderReference: maybeText(r, 'sender_reference'),
    state: state(r, 'state'),
    deliveredAt: date(r, 'delivered_at'),
    readAt: maybeDate(r, 'read_at'),
    unread: r.read_at === null || bool(r, 'marked_unread'),
    folder: folder(r, 'folder'),
    requiresAcknowledgement: bool(r, 'requires_acknowledgement'),
    acknowledgedAt: maybeDate(r, 'acknowledged_at'),
    dueDate: maybeText(r, 'due_date'),
    endToEnd: bool(r, 'end_to_end'),
    confidential: bool(r, 'confidential'),
    documents: decodeDocuments(r),
  };
}

function decodeDocumentToRead(r: Row): DocumentToRead {
  const id = maybeText(r, 'id');
  const sealed = nullable(bytes)(r, 'sealed');
  return {
    state: state(r, 'state'),
    markedUnread: bool(r, 'marked_unread'),
    requiresAcknowledgement: bool(r, 'requires_acknowledgement'),
    endToEnd: bool(r, 'end_to_end'),
    document:
      id && sealed
        ? { id, filename: text(r, 'filename'), mediaType: text(r, 'media_type'), sealed }
        : null,
    mailbox: {
      id: text(r, 'mailbox_id'),
      wrappedDataKey: nullable(bytes)(r, 'wrapped_data_key'),
      masterKeyVersion: int(r, 'master_key_version'),
    },
  };
}

/**
 * Visible in a mailbox: the states a citizen sees (always parameter $2, from the lifecycle) and
 * not purged. `l.state = ANY($2::text[])` keeps the inbox on letters_mailbox_folder (checked
 * with EXPLAIN at 1,000,000 letters; see docs/benchmarks.md).
 */
const VISIBLE_TO_ANY = `l.mailbox_id = $1 AND l.state = ANY($2::text[]) AND l.purged_at IS NULL`;

/** A confidential letter is not there for a scope without confidential access; `alias` is the
 * letters table's in the statement (none in an UPDATE, each of which follows a scoped read). */
const confidentialOnlyIf = (scope: MailboxScope, alias = ''): string =>
  scope.confidential ? '' : ` AND NOT ${alias}confidential`;

/**
 * What the scope may see: a confidential letter does not exist for a scope without
 * confidential access (DESIGN "Who may act"), in lists, counts or by id. The scope's flag picks
 * one of two fixed texts (a confidential access scope adds nothing), so nothing from a request reaches the SQL.
 */
const visibleTo = (scope: MailboxScope): string =>
  `${VISIBLE_TO_ANY}${confidentialOnlyIf(scope, 'l.')}`;
/** Unread: never opened, or marked unread again by the citizen (the read receipt stays). */
const UNREAD = '(l.read_at IS NULL OR l.marked_unread)';
const LETTER_COLUMNS = `l.id, l.agency_id, a.name AS agency_name, l.title, l.sender_reference,
  l.state, l.delivered_at, l.read_at, l.marked_unread, l.folder, l.requires_acknowledgement, l.acknowledged_at, l.due_date::text AS due_date,
  l.end_to_end, l.confidential,
  (SELECT json_agg(json_build_object('id', d.id, 'filename', d.filename,
            'mediaType', d.media_type, 'size', d.size) ORDER BY d.position)
     FROM documents d WHERE d.letter_id = l.id) AS documents`;

/** The first two parameters of every query here: the mailbox in scope and what it may see. */
const inScope = (scope: MailboxScope): unknown[] => [scope.mailboxId, VISIBLE_TO_CITIZEN];

/**
 * Letters and documents as the citizen sees and files them. Every query is limited to the
 * scope's mailbox, so another mailbox's letter is "not there", exactly like one that does not
 * exist.
 */
export class MailboxLettersStore {
  constructor(private readonly sql: Sql) {}

  /** Newest first; returns up to `limit + 1` letters so the caller knows whether more follow. */
  pageOfInbox(scope: MailboxScope, query: InboxQuery): Promise<MailboxLetter[]> {
    const params = [...inScope(scope), query.folder];
    const where = [visibleTo(scope), 'l.folder = $3', 'l.delivered_at IS NOT NULL'];
    if (query.unread !== undefined) where.push(query.unread ? UNREAD : `NOT ${UNREAD}`);
    if (query.q) {
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(l.title ILIKE $${params.length} OR a.name ILIKE $${params.length})`);
    }
    if (query.after) {
      params.push(query.after[0], query.after[1]);
      where.push(
        `(l.delivered_at, l.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(query.limit + 1);
    return this.sql.rows(
      `SELECT ${LETTER_COLUMNS} FROM letters l JOIN agencies a ON a.id = l.agency_id
        WHERE ${where.join(' AND ')}
        ORDER BY l.delivered_at DESC, l.id DESC LIMIT $${params.length}`,
      params,
      decodeLetter,
    );
  }

  /**
   * Unread letters and letters that wait for an acknowledgement, outside the trash. Every state
   * a citizen sees has a delivery time, and saying so lets the partial index letters_mailbox_folder
   * serve the count: 0.4 ms instead of a 116 ms parallel scan at 1,000,000 letters.
   */
  summary(scope: MailboxScope): Promise<{ unread: number; needsAction: number }> {
    return this.sql
      .maybeOne(
        `SELECT count(*) FILTER (WHERE ${UNREAD})::int AS unread,
                count(*) FILTER (WHERE l.requires_acknowledgement AND l.acknowledged_at IS NULL)::int AS needs_action
           FROM letters l
          WHERE ${visibleTo(scope)} AND l.delivered_at IS NOT NULL AND l.folder <> 'trash'`,
        inScope(scope),
        (r) => ({ unread: int(r, 'unread'), needsAction: int(r, 'needs_action') }),
      )
      .then((counts) => counts ?? { unread: 0, needsAction: 0 });
  }

  /** The letter, or null when the scope's mailbox cannot see it; `tx` inside a transaction. */
  letterInScope(
    scope: MailboxScope,
    letterId: string,
    tx: Sql = this.sql,
  ): Promise<MailboxLetter | null> {
    return tx.maybeOne(
      `SELECT ${LETTER_COLUMNS} FROM letters l JOIN agencies a ON a.id = l.agency_id
        WHERE l.id = $3 AND ${visibleTo(scope)}`,
      [...inScope(scope), letterId],
      decodeLetter,
    );
  }

  /** As `letterInScope`, for a change that follows in `tx`: a read-only scope is refused. */
  async letterToChange(
    tx: Sql,
    scope: MailboxScope,
    letterId: string,
  ): Promise<MailboxLetter | null> {
    mailboxToWrite(scope);
    return this.letterInScope(scope, letterId, tx);
  }

  /**
   * One statement decides both: a letter not visible in this mailbox (null) and a document not
   * of that letter (`document: null`) are told apart without a second round trip.
   */
  documentToRead(
    scope: MailboxScope,
    letterId: string,
    documentId: string,
  ): Promise<DocumentToRead | null> {
    return this.sql.maybeOne(
      `SELECT l.state, l.marked_unread, l.requires_acknowledgement, l.end_to_end, l.mailbox_id,
              mb.wrapped_data_key, mb.master_key_version,
              d.id, d.filename, d.media_type, d.sealed
         FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id
         LEFT JOIN documents d ON d.letter_id = l.id AND d.id = $4
        WHERE l.id = $3 AND ${visibleTo(scope)}`,
      [...inScope(scope), letterId, documentId],
      decodeDocumentToRead,
    );
  }

  /** The citizen's own reminder to come back to a letter; `read_at` and its receipt stay. */
  async markUnread(tx: Sql, scope: MailboxScope, letterId: string): Promise<void> {
    const mailboxId = mailboxToWrite(scope);
    await tx.run(
      `UPDATE letters SET marked_unread = true
        WHERE id = $1 AND mailbox_id = $2${confidentialOnlyIf(scope)}`,
      [letterId, mailboxId],
    );
  }

  /** Opening a letter again answers the citizen's "unread" reminder. */
  async clearMarkedUnread(scope: MailboxScope, letterId: string): Promise<void> {
    await this.sql.run(
      `UPDATE letters SET marked_unread = false
        WHERE id = $1 AND mailbox_id = $2 AND marked_unread${confidentialOnlyIf(scope)}`,
      [letterId, scope.mailboxId],
    );
  }

  /** Files the letter; into the trash remembers where it was, out of it forgets. */
  async file(tx: Sql, scope: MailboxScope, letterId: string, to: Folder): Promise<void> {
    const mailboxId = mailboxToWrite(scope);
    if (to === 'trash') {
      await tx.run(
        `UPDATE letters SET folder_before_trash = folder, folder = 'trash', trashed_at = now()
          WHERE id = $1 AND mailbox_id = $2${confidentialOnlyIf(scope)}`,
        [letterId, mailboxId],
      );
    } else {
      await tx.run(
        `UPDATE letters SET folder = $3, folder_before_trash = NULL, trashed_at = NULL
          WHERE id = $1 AND mailbox_id = $2${confidentialOnlyIf(scope)}`,
        [letterId, mailboxId, to],
      );
    }
  }

  /**
   * The sending agency's signing keys that were valid when the letter was sent; null when the
   * letter is not visible in the scope's mailbox.
   */
  async senderKeys(
    scope: MailboxScope,
    letterId: string,
  ): Promise<{ fingerprint: string; publicKey: string }[] | null> {
    const keys = await this.sql.rows(
      // A key re-added after a revocation has one row per interval; two may match near the edges.
      `SELECT DISTINCT ON (k.fingerprint) k.fingerprint, k.public_key FROM letters l
         JOIN agency_signing_keys k ON k.agency_id = l.agency_id
        WHERE l.id = $3 AND ${visibleTo(scope)}
          AND k.added_at <= l.created_at + interval '5 minutes'
          AND (k.revoked_at IS NULL OR k.revoked_at > l.created_at)
        ORDER BY k.fingerprint, k.added_at DESC`,
      [...inScope(scope), letterId],
      (r) => ({ fingerprint: text(r, 'fingerprint'), publicKey: text(r, 'public_key') }),
    );
    if (keys.length > 0) return keys;
    const exists = await this.sql.maybeOne(
      `SELECT 1 AS found FROM letters l WHERE l.id = $3 AND ${visibleTo(scope)}`,
      [...inScope(scope), letterId],
      () => true,
    );
    return exists ? [] : null;
  }
}
