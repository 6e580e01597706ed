import type { DataSource } from 'typeorm';
import { ownerScope, type MailboxScope } from '#access';
import { documentAad, unseal } from '#crypto';
import { notFound } from '#errors';
import { AccessLogStore, MailboxLettersStore, Sql, type Folder, type MailboxLetter } from '#stores';
import { decodeCursor, encodeCursor } from '../cursor';
import { applyTransition } from '../letter-transitions';
import { transition } from '#lifecycle';
import type { MailboxDirectory } from './mailbox-directory';
import type { StagedReceipt } from '../receipts/receipt-staging';

export type { Folder };

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
  confidential: boolean;
  documents: { id: string; filename: string; mediaType: string; size: number | null }[];
}

export interface ListQuery {
  folder: Folder;
  unread?: boolean;
  q?: string;
  limit: number;
  cursor?: string;
}

const view = (l: MailboxLetter): MailboxLetterView => ({
  ...l,
  deliveredAt: l.deliveredAt.toISOString(),
  readAt: l.readAt?.toISOString() ?? null,
  acknowledgedAt: l.acknowledgedAt?.toISOString() ?? null,
});

/**
 * Everything a citizen does with a mailbox they act for. Every read and write goes through the
 * scope `open` returned, so another citizen's letter is "not found", exactly like a letter that
 * does not exist.
 */
export class CitizenMailbox {
  private readonly sql: Sql;
  private readonly letters: MailboxLettersStore;
  private readonly accessEntries = new AccessLogStore();

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
  ) {
    this.sql = new Sql(db);
    this.letters = new MailboxLettersStore(this.sql);
  }

  /**
   * The access check: today a citizen acts only for their own mailbox, made when they first log
   * in if no letter made it before. Delegated access will decide here (`decideAccess`, #access).
   */
  async open(nationalId: string): Promise<MailboxScope> {
    return ownerScope(await this.mailboxes.findOrCreate(this.db.manager, nationalId));
  }

  async list(
    scope: MailboxScope,
    query: ListQuery,
  ): Promise<{ items: MailboxLetterView[]; nextCursor: string | null }> {
    const rows = await this.letters.pageOfInbox(scope, {
      folder: query.folder,
      unread: query.unread,
      q: query.q,
      limit: query.limit,
      after: decodeCursor(query.cursor, ['timestamp', 'uuid']),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > query.limit && last
        ? encodeCursor([last.deliveredAt.toISOString(), last.id])
        : null;
    return { items: page.map(view), nextCursor };
  }

  summary(scope: MailboxScope): Promise<{ unread: number; needsAction: number }> {
    return this.letters.summary(scope);
  }

  async get(scope: MailboxScope, letterId: string): Promise<MailboxLetterView> {
    const letter = await this.letters.letterInScope(scope, letterId);
    if (!letter) throw notFound('letter');
    return view(letter);
  }

  /** The decrypted bytes; the first fetch of any document is the legal moment of `read`. */
  async readDocument(
    scope: MailboxScope,
    letterId: string,
    documentId: string,
  ): Promise<{ filename: string; mediaType: string; content: Buffer }> {
    const found = await this.letters.documentToRead(scope, letterId, documentId);
    if (!found) throw notFound('letter');
    const doc = found.document;
    if (!doc) throw notFound('document');
    const content = found.endToEnd
      ? doc.sealed
      : unseal(
          this.mailboxes.dataKeyOf(found.mailbox),
          doc.sealed,
          documentAad(letterId, doc.id, found.mailbox.masterKeyVersion),
        );
    // Only a first read changes anything; later ones need no locked transaction to say so.
    // Reading is what every scope may do, so a read-only scope's first read counts as well.
    const facts = { requiresAcknowledgement: found.requiresAcknowledgement };
    if (transition(found.state, 'read', facts).kind !== 'unchanged')
      await this.db.transaction((m) => applyTransition(m, letterId, 'read'));
    // Opening it again answers the citizen's own "unread" reminder.
    if (found.markedUnread) await this.letters.clearMarkedUnread(scope, letterId);
    return { filename: doc.filename, mediaType: doc.mediaType, content };
  }

  async acknowledge(scope: MailboxScope, letterId: string): Promise<StagedReceipt> {
    return this.db.transaction(async (m) => {
      if (!(await this.letters.letterToChange(new Sql(m), scope, letterId)))
        throw notFound('letter');
      const applied = await applyTransition(m, letterId, 'acknowledge');
      return applied.receipt!;
    });
  }

  async move(scope: MailboxScope, letterId: string, folder: Folder): Promise<MailboxLetterView> {
    return this.db.transaction(async (m) => {
      const tx = new Sql(m);
      const current = await this.letters.letterToChange(tx, scope, letterId);
      if (!current) throw notFound('letter');
      if (current.folder === folder) return view(current);
      await this.letters.file(tx, scope, letterId, folder);
      return view((await this.letters.letterInScope(scope, letterId, tx))!);
    });
  }

  /** The citizen's reminder to come back to it; the read receipt and `readAt` stay. */
  async markUnread(scope: MailboxScope, letterId: string): Promise<MailboxLetterView> {
    return this.sql.transaction(async (tx) => {
      if (!(await this.letters.letterToChange(tx, scope, letterId))) throw notFound('letter');
      await this.letters.markUnread(tx, scope, letterId);
      return view((await this.letters.letterInScope(scope, letterId, tx))!);
    });
  }

  async accessLog(scope: MailboxScope, limit: number, cursor?: string) {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const rows = await this.accessEntries.page(this.sql, scope, limit, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        at: r.at.toISOString(),
        actor: r.actor,
        action: r.action,
        purpose: r.purpose,
        // The letter looked at, while it is still there to be named (a purged one is not).
        letter: r.letter,
      })),
      nextCursor:
        rows.length > limit && last ? encodeCursor([last.at.toISOString(), last.id]) : null,
    };
  }
}
