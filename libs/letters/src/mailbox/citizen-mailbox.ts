import type { DataSource } from 'typeorm';
import type { AccessAction, MailboxScope } from '#access';
import { documentAad, unseal } from '#crypto';
import { notFound } from '#errors';
import { AccessLogStore, MailboxLettersStore, Sql, type Folder, type MailboxLetter } from '#stores';
import { decodeCursor, encodeCursor } from '../cursor';
import { applyTransition } from '../letter-transitions';
import { transition } from '#lifecycle';
import type { MailboxDirectory } from './mailbox-directory';
import { MailboxAccess, type Caller } from './mailbox-access';
import type { ReceiptActor, StagedReceipt } from '../receipts/receipt-staging';

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
 * Who acted, for a `read` or `acknowledged` receipt. A scope that names no one (a caller known
 * only by number) is the owner's, whose ref is the receipt's recipient ref (the same HMAC).
 */
const receiptActor = (scope: MailboxScope): ReceiptActor => ({
  role: scope.role,
  ref: scope.actor?.ref,
});

/**
 * Everything a citizen does with a mailbox they act for. Every read and write goes through the
 * scope `open` returned, so another citizen's letter is "not found", exactly like a letter that
 * does not exist. What anyone but the owner does is written to the mailbox's access log, in the
 * transaction of the change itself.
 */
export class CitizenMailbox {
  private readonly sql: Sql;
  private readonly letters: MailboxLettersStore;
  private readonly accessEntries = new AccessLogStore();
  readonly access: MailboxAccess;

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
  ) {
    this.sql = new Sql(db);
    this.letters = new MailboxLettersStore(this.sql);
    this.access = new MailboxAccess(db, mailboxes);
  }

  /**
   * The access check: without `mailboxId`, the caller's own mailbox (`/v1/mailbox/…`); with it,
   * the mailbox they ask to act for (`/v1/mailboxes/{mailboxId}/…`), decided by `decideAccess`:
   * one they may not act for is "not found". A bare national id stands for a caller known only
   * by number (tests, benchmarks).
   */
  open(caller: Caller | string, mailboxId?: string): Promise<MailboxScope> {
    if (mailboxId === undefined || typeof caller === 'string') return this.access.own(caller);
    return this.access.forMailbox(caller, mailboxId);
  }

  /**
   * An entry in the mailbox's access log for anything done by someone other than its owner, with
   * the role they acted in. Public for the settings, keys and grants, which change the mailbox
   * outside this class.
   */
  async trace(
    scope: MailboxScope,
    action: AccessAction,
    letterId?: string,
    tx: Sql = this.sql,
  ): Promise<void> {
    if (scope.role === 'owner') return;
    await this.accessEntries.record(tx, {
      mailboxId: scope.mailboxId,
      actor: {
        kind: 'person',
        id: scope.actor?.ref ?? '',
        name: scope.actor?.name ?? '',
        role: scope.role,
      },
      action,
      purpose: '',
      letterId,
    });
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

  /** The letter, as its mailbox shows it, without a trace (a view ticket's check). */
  async find(scope: MailboxScope, letterId: string): Promise<MailboxLetterView> {
    const letter = await this.letters.letterInScope(scope, letterId);
    if (!letter) throw notFound('letter');
    return view(letter);
  }

  /** The letter opened: a delegate's look at it is in the access log. */
  async get(scope: MailboxScope, letterId: string): Promise<MailboxLetterView> {
    const letter = await this.find(scope, letterId);
    await this.trace(scope, 'mailbox.letter_opened', letterId);
    return letter;
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
    if (transition(found.state, 'read', facts).kind !== 'unchanged') {
      const actor = receiptActor(scope);
      await this.db.transaction((m) => applyTransition(m, letterId, 'read', { actor }));
    }
    await this.trace(scope, 'mailbox.document_opened', letterId);
    // Opening it again answers the citizen's own "unread" reminder.
    if (found.markedUnread) await this.letters.clearMarkedUnread(scope, letterId);
    return { filename: doc.filename, mediaType: doc.mediaType, content };
  }

  async acknowledge(scope: MailboxScope, letterId: string): Promise<StagedReceipt> {
    return this.db.transaction(async (m) => {
      const tx = new Sql(m);
      const letter = await this.letters.letterToChange(tx, scope, letterId);
      if (!letter) throw notFound('letter');
      const actor = receiptActor(scope);
      const applied = await applyTransition(m, letterId, 'acknowledge', { actor });
      if (applied.changed) await this.trace(scope, 'mailbox.letter_acknowledged', letterId, tx);
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
      const action = folder === 'trash' ? 'mailbox.letter_deleted' : 'mailbox.letter_filed';
      await this.trace(scope, action, letterId, tx);
      return view((await this.letters.letterInScope(scope, letterId, tx))!);
    });
  }

  /** The citizen's reminder to come back to it; the read receipt and `readAt` stay. */
  async markUnread(scope: MailboxScope, letterId: string): Promise<MailboxLetterView> {
    return this.sql.transaction(async (tx) => {
      if (!(await this.letters.letterToChange(tx, scope, letterId))) throw notFound('letter');
      await this.letters.markUnread(tx, scope, letterId);
      await this.trace(scope, 'mailbox.letter_marked_unread', letterId, tx);
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
