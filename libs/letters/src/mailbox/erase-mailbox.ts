import type { DataSource } from 'typeorm';
import { invalid, notFound } from '#errors';
import { AgenciesStore, MailboxesStore, Sql } from '#stores';
import type { MailboxDirectory } from './mailbox-directory';

export interface ErasureRequest {
  nationalId: string;
  /** Why, in the operator's words (a court order, the person's request, a closed estate). */
  reason: string;
  /** Who decided it: the name the operator audit log records. */
  operator: string;
  /** The account that ran the command, beside the operator's name. */
  via: string;
}

export type ErasureResult =
  | { erased: true; mailboxId: string; erasedAt: Date; endToEndDocuments: number }
  | { erased: false; mailboxId: string; erasedAt: Date | null };

/**
 * An operator erases a mailbox by destroying its keys (docs/operations.md, "Erasing a
 * mailbox"): one transaction shreds the keys and writes who did it and why to the operator
 * audit log, so there is never an erasure without its record. Receipts and logs stay intact;
 * the mailbox takes no more letters.
 */
export class EraseMailbox {
  private readonly sql: Sql;

  constructor(
    db: DataSource,
    private readonly mailboxes: MailboxDirectory,
  ) {
    this.sql = new Sql(db);
  }

  async execute(request: ErasureRequest): Promise<ErasureResult> {
    this.mailboxes.assertValid(request.nationalId, 'national-id');
    if (request.reason.trim() === '') throw invalid('erasure.reason_required', 'Give a reason');
    if (request.operator.trim() === '')
      throw invalid('erasure.operator_required', 'Name the operator');
    return this.sql.transaction(async (tx) => {
      const mailbox = await new MailboxesStore(tx).findByHmac(
        this.mailboxes.hmacOf(request.nationalId),
      );
      if (!mailbox) throw notFound('mailbox');
      const done = await new MailboxesStore(tx).erase(mailbox.id);
      if (!done) return { erased: false, mailboxId: mailbox.id, erasedAt: mailbox.erasedAt };
      await new AgenciesStore(tx).audit({
        actor: request.operator,
        action: 'mailbox.erased',
        subject: mailbox.id,
        details: {
          reason: request.reason,
          via: request.via,
          endToEndDocuments: done.endToEndDocuments,
        },
      });
      return { erased: true, mailboxId: mailbox.id, ...done };
    });
  }
}
