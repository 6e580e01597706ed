import type { DataSource, EntityManager } from 'typeorm';
import { documentAad, unseal } from '#crypto';
import type { Mailbox } from '#database';
import { notFound } from '#errors';
import { decodeCursor, encodeCursor } from './cursor';
import { applyTransition } from './letter-transitions';
import { transition, type LetterState } from './lifecycle';
import type { MailboxDirectory } from './mailbox-directory';
import type { StagedReceipt } from './receipt-staging';

export type Folder = 'inbox' | 'archive' | 'trash';

export interface MailboxLetterView {
  id: string;
  sender: { id: string; name: string };
  title: string;
  senderReference: string | null;
  state: string;
  deliveredAt: string;
  readAt: string | null;
  /** Not read yet, or marked unread again by the citizen. */
  unread: boolean;
  folder: Folder;
  requiresAcknowledgement: boolean;
  acknowledgedAt: string | null;
  dueDate: string | null;
  endToEnd: boolean;
  documents: { id: string; filename: string; mediaType: string; size: number | null }[];
}

export interface ListQuery {
  folder: Folder;
  unread?: boolean;
  q?: string;
  limit: number;
  cursor?: string;
}

interface LetterRow {
  id: string;
  agency_id: string;
  agency_name: string;
  title: string;
  sender_reference: string | null;
  state: string;
  delivered_at: Date;
  read_at: Date | null;
  marked_unread: boolean;
  folder: Folder;
  requires_acknowledgement: boolean;
  acknowledged_at: Date | null;
  due_date: string | null;
  end_to_end: boolean;
  documents: MailboxLetterView['documents'];
}

const VISIBLE = `l.state IN ('delivered', 'read', 'acknowledged') AND l.purged_at IS NULL`;
const UNREAD = `(l.read_at IS NULL OR l.marked_unread)`;
const LETTER_COLUMNS = `l.id, l.agency_id, a.name AS agency_name, l.title, l.sender_reference,
  l.state, l.delivered_at, l.read_at, l.marked_unread, l.folder, l.requires_acknowledgement, l.acknowledged_at, l.due_date::text AS due_date,
  l.end_to_end,
  (SELECT json_agg(json_build_object('id', d.id, 'filename', d.filename,
            'mediaType', d.media_type, 'size', d.size) ORDER BY d.position)
     FROM documents d WHERE d.letter_id = l.id) AS documents`;

/**
 * Everything a citizen does with their own mailbox. Every query is scoped to the mailbox, so
 * another citizen's letter is "not found", exactly like a letter that does not exist.
 */
export class CitizenMailbox {
  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
  ) {}

  /** A mailbox is made when its owner first logs in, if no letter made it before. */
  open(nationalId: string): Promise<Mailbox> {
    return this.mailboxes.findOrCreate(this.db.manager, nationalId);
  }

  async list(
    mailbox: Mailbox,
    query: ListQuery,
  ): Promise<{ items: MailboxLetterView[]; nextCursor: string | null }> {
    const params: unknown[] = [mailbox.id, query.folder];
    const where = ['l.mailbox_id = $1', 'l.folder = $2', 'l.delivered_at IS NOT NULL', VISIBLE];
    if (query.unread !== undefined) where.push(query.unread ? UNREAD : `NOT ${UNREAD}`);
    if (query.q) {
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(l.title ILIKE $${params.length} OR a.name ILIKE $${params.length})`);
    }
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    if (after) {
      params.push(after[0], after[1]);
      where.push(
        `(l.delivered_at, l.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(query.limit + 1);
    const rows = (await this.db.query(
      `SELECT ${LETTER_COLUMNS} FROM letters l JOIN agencies a ON a.id = l.agency_id
        WHERE ${where.join(' AND ')}
        ORDER BY l.delivered_at DESC, l.id DESC LIMIT $${params.length}`,
      params,
    )) as LetterRow[];
    const page = rows.slice(0, query.limit);
    const items = this.views(page);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > query.limit && last
        ? encodeCursor([last.delivered_at.toISOString(), last.id])
        : null;
    return { items, nextCursor };
  }

  async summary(mailbox: Mailbox): Promise<{ unread: number; needsAction: number }> {
    const [row] = (await this.db.query(
      `SELECT count(*) FILTER (WHERE ${UNREAD})::int AS unread,
              count(*) FILTER (WHERE l.requires_acknowledgement AND l.acknowledged_at IS NULL)::int AS needs_action
         FROM letters l WHERE l.mailbox_id = $1 AND l.folder <> 'trash' AND ${VISIBLE}`,
      [mailbox.id],
    )) as { unread: number; needs_action: number }[];
    return { unread: row.unread, needsAction: row.needs_action };
  }

  async get(
    mailbox: Mailbox,
    letterId: string,
    m: EntityManager = this.db.manager,
  ): Promise<MailboxLetterView> {
    const rows = (await m.query(
      `SELECT ${LETTER_COLUMNS} FROM letters l JOIN agencies a ON a.id = l.agency_id
        WHERE l.id = $1 AND l.mailbox_id = $2 AND ${VISIBLE}`,
      [letterId, mailbox.id],
    )) as LetterRow[];
    if (rows.length === 0) throw notFound('letter');
    return this.views(rows)[0];
  }

  /** The decrypted bytes; the first fetch of any document is the legal moment of `read`. */
  async readDocument(
    mailbox: Mailbox,
    letterId: string,
    documentId: string,
  ): Promise<{ filename: string; mediaType: string; content: Buffer }> {
    // One statement decides both: a letter not visible in this mailbox and a document not of
    // that letter are the same "not found" as ones that do not exist.
    const [doc] = (await this.db.query(
      `SELECT l.state, l.requires_acknowledgement, l.end_to_end, d.id, d.filename, d.media_type, d.sealed
         FROM letters l LEFT JOIN documents d ON d.letter_id = l.id AND d.id = $3
        WHERE l.id = $1 AND l.mailbox_id = $2 AND ${VISIBLE}`,
      [letterId, mailbox.id, documentId],
    )) as {
      state: LetterState;
      requires_acknowledgement: boolean;
      end_to_end: boolean;
      id: string | null;
      filename: string;
      media_type: string;
      sealed: Buffer | null;
    }[];
    if (!doc) throw notFound('letter');
    if (!doc.id || !doc.sealed) throw notFound('document');
    const content = doc.end_to_end
      ? doc.sealed
      : unseal(
          this.mailboxes.dataKeyOf(mailbox),
          doc.sealed,
          documentAad(letterId, doc.id, mailbox.masterKeyVersion),
        );
    // Only a first read changes anything; later ones need no locked transaction to say so.
    const facts = { requiresAcknowledgement: doc.requires_acknowledgement };
    if (transition(doc.state, 'read', facts).kind !== 'unchanged')
      await this.db.transaction((m) => applyTransition(m, letterId, 'read'));
    // Opening it again is reading it again: the citizen's "unread" reminder has done its job.
    await this.db.query(
      'UPDATE letters SET marked_unread = false WHERE id = $1 AND marked_unread',
      [letterId],
    );
    return { filename: doc.filename, mediaType: doc.media_type, content };
  }

  async acknowledge(mailbox: Mailbox, letterId: string): Promise<StagedReceipt> {
    return this.db.transaction(async (m) => {
      await this.get(mailbox, letterId, m);
      const applied = await applyTransition(m, letterId, 'acknowledge');
      return applied.receipt!;
    });
  }

  async move(mailbox: Mailbox, letterId: string, folder: Folder): Promise<MailboxLetterView> {
    return this.db.transaction(async (m) => {
      const current = await this.get(mailbox, letterId, m);
      if (current.folder !== folder) {
        if (folder === 'trash') {
          await m.query(
            `UPDATE letters SET folder_before_trash = folder, folder = 'trash', trashed_at = now() WHERE id = $1`,
            [letterId],
          );
        } else {
          await m.query(
            `UPDATE letters SET folder = $2, folder_before_trash = NULL, trashed_at = NULL WHERE id = $1`,
            [letterId, folder],
          );
        }
      }
      return this.get(mailbox, letterId, m);
    });
  }

  /** The citizen's own reminder; the read receipt and read_at stay as they are. */
  async markUnread(mailbox: Mailbox, letterId: string): Promise<MailboxLetterView> {
    await this.get(mailbox, letterId);
    await this.db.query('UPDATE letters SET marked_unread = true WHERE id = $1', [letterId]);
    return this.get(mailbox, letterId);
  }

  async accessLog(mailbox: Mailbox, limit: number, cursor?: string) {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const rows = (await this.db.query(
      `SELECT g.id, g.at, g.actor_kind, g.actor_id, g.actor_name, g.action, g.purpose,
              g.letter_id, l.title AS letter_title
         FROM access_log g LEFT JOIN letters l ON l.id = g.letter_id AND l.mailbox_id = g.mailbox_id
        WHERE g.mailbox_id = $1 ${after ? 'AND (g.at, g.id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY g.at DESC, g.id DESC LIMIT $2`,
      after ? [mailbox.id, limit + 1, after[0], after[1]] : [mailbox.id, limit + 1],
    )) as {
      id: string;
      at: Date;
      actor_kind: string;
      actor_id: string;
      actor_name: string;
      action: string;
      purpose: string;
      letter_id: string | null;
      letter_title: string | null;
    }[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        at: r.at.toISOString(),
        actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
        action: r.action,
        purpose: r.purpose,
        // The letter looked at, if it is still there to be named (a purged one is not).
        letter: r.letter_id && r.letter_title ? { id: r.letter_id, title: r.letter_title } : null,
      })),
      nextCursor:
        rows.length > limit && last ? encodeCursor([last.at.toISOString(), last.id]) : null,
    };
  }

  private views(rows: LetterRow[]): MailboxLetterView[] {
    return rows.map((r) => ({
      id: r.id,
      sender: { id: r.agency_id, name: r.agency_name },
      title: r.title,
      senderReference: r.sender_reference,
      state: r.state,
      deliveredAt: r.delivered_at.toISOString(),
      readAt: r.read_at?.toISOString() ?? null,
      unread: r.read_at === null || r.marked_unread,
      folder: r.folder,
      requiresAcknowledgement: r.requires_acknowledgement,
      acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
      dueDate: r.due_date,
      endToEnd: r.end_to_end,
      documents: r.documents ?? [],
    }));
  }
}
