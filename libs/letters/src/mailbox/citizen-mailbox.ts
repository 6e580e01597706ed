import type { DataSource } from 'typeorm';
import type { AccessAction, MailboxScope } from '#access';
import { documentAad, unseal } from '#crypto';
import { DomainError, notFound } from '#errors';
import {
  AccessLogStore,
  MailboxLettersStore,
  Sql,
  type AccessLogEntry,
  type Folder,
  type MailboxLetter,
} from '#stores';
import { decodeCursor, encodeCursor } from '../cursor';
import { applyTransition } from '../letter-transitions';
import { transition } from '#lifecycle';
import { systemClock, type Clock } from '#config';
import type { LetterUseCaseOptions } from '../use-case-options';
import { delegateEntry } from './delegate-trace';
import type { MailboxDirectory } from './mailbox-directory';
import { MailboxAccess, type Caller } from './mailbox-access';
import type { ReceiptActor, StagedReceipt } from '../receipts/receipt-staging';

export type { Folder };

/**
 * 410: the documents existed and are gone for good (their key was destroyed), which a client
 * should tell apart from a letter that never was.
 */
export const mailboxErased = (): DomainError =>
  new DomainError(
    410,
    'mailbox.erased',
    "This mailbox was erased: its documents' keys were destroyed and they cannot be read any more. The letters' receipts remain.",
  );

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
  replies: { allowed: boolean; until: string | null };
  inReplyTo: string | null;
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
  replies: { allowed: l.replies.allowed, until: l.replies.until?.toISOString() ?? null },
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
  /** The lag-tolerant reads (list, summary, a letter): a replica when there is one. */
  private readonly shown: MailboxLettersStore;
  private readonly accessEntries = new AccessLogStore();
  readonly access: MailboxAccess;

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    /** "Now" for what is withheld from the citizen until a date. */
    private readonly clock: Clock = systemClock,
    private readonly options: LetterUseCaseOptions = {},
  ) {
    this.sql = new Sql(db);
    this.letters = new MailboxLettersStore(this.sql);
    this.shown = options.reads ? new MailboxLettersStore(options.reads) : this.letters;
    this.access = new MailboxAccess(db, mailboxes);
  }

  /**
   * The access check: without `mailboxId`, the caller's own mailbox (`/v1/mailbox/…`); with it,
   * the mailbox they ask to act for (`/v1/mailboxes/{mailboxId}/…`), decided by `decideAccess`:
   * one they may not act for is "not found". A bare national id stands for a caller known only
   * by number (tests, benchmarks).
   */
  open(caller: Caller | string): Promise<MailboxScope>;
  open(caller: Caller, mailboxId: string | undefined): Promise<MailboxScope>;
  open(caller: Caller | string, mailboxId?: string): Promise<MailboxScope> {
    if (mailboxId === undefined) return this.access.own(caller);
    // The overloads keep a bare number from asking for another mailbox; this keeps JavaScript.
    if (typeof caller === 'string') throw new TypeError('acting for a mailbox needs the caller');
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
    const entry = delegateEntry(scope, action, letterId);
    if (entry) await this.accessEntries.record(tx, entry);
  }

  async list(
    scope: MailboxScope,
    query: ListQuery,
  ): Promise<{ items: MailboxLetterView[]; nextCursor: string | null }> {
    const rows = await this.shown.pageOfInbox(scope, {
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
    return this.shown.summary(scope);
  }

  /** The letter, as its mailbox shows it, without a trace (a view ticket's check). */
  async find(scope: MailboxScope, letterId: string): Promise<MailboxLetterView> {
    // A letter the replica has not replayed yet is asked of the primary: never "not found".
    const letter =
      (await this.shown.letterInScope(scope, letterId)) ??
      (this.shown === this.letters ? null : await this.letters.letterInScope(scope, letterId));
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
    if (found.mailbox.erased) throw mailboxErased();
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
    // The document and its state come from the primary: this read is the legal moment of `read`.
    const facts = { requiresAcknowledgement: found.requiresAcknowledgement };
    if (transition(found.state, 'read', facts).kind !== 'unchanged') {
      const actor = receiptActor(scope);
      const applied = await this.db.transaction((m) =>
        applyTransition(m, letterId, 'read', { actor }),
      );
      if (applied.changed) this.options.entered?.(applied.state);
    }
    await this.trace(scope, 'mailbox.document_opened', letterId);
    // Opening it again answers the citizen's own "unread" reminder.
    if (found.markedUnread) await this.letters.clearMarkedUnread(scope, letterId);
    return { filename: doc.filename, mediaType: doc.mediaType, content };
  }

  async acknowledge(scope: MailboxScope, letterId: string): Promise<StagedReceipt> {
    const applied = await this.db.transaction(async (m) => {
      const tx = new Sql(m);
      if (!(await this.letters.letterToChange(tx, scope, letterId))) throw notFound('letter');
      const actor = receiptActor(scope);
      const moved = await applyTransition(m, letterId, 'acknowledge', { actor });
      await this.trace(scope, 'mailbox.letter_acknowledged', letterId, tx);
      return moved;
    });
    if (applied.changed) this.options.entered?.(applied.state);
    return applied.receipt!;
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
    const rows = await this.accessEntries.page(this.sql, scope, limit, after, this.clock.now());
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(accessLogItem),
      nextCursor:
        rows.length > limit && last ? encodeCursor([last.at.toISOString(), last.id]) : null,
    };
  }
}

/**
 * An entry as the citizen's page shows it. A withheld entry is only read once its date came, so
 * one that has `withheld` is released: it says so, with the reason and its original time.
 */
function accessLogItem(r: AccessLogEntry) {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    purpose: r.purpose,
    // The letter looked at, while it is still there to be named (a purged one is not).
    letter: r.letter,
    notice: r.notice && {
      dataCategory: r.notice.dataCategory,
      legalBasis: r.notice.legalBasis,
      occurredAt: r.notice.occurredAt.toISOString(),
      system: r.notice.system ?? null,
    },
    released: r.withheld !== null,
    withheld: r.withheld && { until: r.withheld.until.toISOString(), reason: r.withheld.reason },
  };
}
