import type { DataSource, EntityManager } from 'typeorm';
import type { Mailbox } from '#database';
import { AccessLogStore, Sql } from '#stores';
import {
  reservedAgainstDigitalPost,
  type MailboxDirectory,
  type RecipientNumber,
} from '../mailbox/mailbox-directory';

export interface Actor {
  kind: 'agency' | 'auditor';
  id: string;
  name: string;
}

/** Whether a recipient can be sent to, and how. */
interface LookupStatus {
  status: 'active' | 'reserved';
  publicKey: string | null;
  /**
   * Whether an end-to-end letter is accepted: the recipient registered a key and has not
   * reserved. A reserved citizen's letters are printed, which the platform cannot do with a
   * document only the citizen can decrypt; the agency prints such a letter itself.
   */
  endToEnd: boolean;
}

export type LookupItem = RecipientNumber & LookupStatus;

/** Either list may be empty, not both (the edge checks that). */
export interface LookupQuery {
  nationalIds?: readonly string[];
  organisationNumbers?: readonly string[];
}

/**
 * An agency asks whether recipients can receive digital post: people by national id,
 * organisations by number. Each lookup of a recipient who has a mailbox is written to its
 * access log, with the purpose the agency stated. An organisation never reserves (its letters
 * are always digital); it has an end-to-end key only if one was set for its mailbox.
 */
export class RecipientLookup {
  private readonly accessLog = new AccessLogStore();

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
  ) {}

  async execute(
    actor: Actor,
    query: LookupQuery,
    purpose: string,
  ): Promise<{ items: LookupItem[] }> {
    const recipients: RecipientNumber[] = [
      ...(query.nationalIds ?? []).map((nationalId) => ({ nationalId })),
      ...(query.organisationNumbers ?? []).map((organisationNumber) => ({ organisationNumber })),
    ];
    (query.nationalIds ?? []).forEach((id, i) =>
      this.mailboxes.assertValid(id, `nationalIds[${i}]`),
    );
    (query.organisationNumbers ?? []).forEach((n, i) =>
      this.mailboxes.assertValidOrganisation(n, `organisationNumbers[${i}]`),
    );
    return this.db.transaction(async (m) => {
      const items: LookupItem[] = [];
      for (const recipient of recipients) {
        const mailbox = await this.mailboxes.findRecipient(m, recipient);
        if (mailbox) await this.logLookup(m, mailbox, actor, purpose);
        items.push({ ...recipient, ...statusOf(mailbox) });
      }
      return { items };
    });
  }

  private logLookup(m: EntityManager, mailbox: Mailbox, actor: Actor, purpose: string) {
    return this.accessLog.record(new Sql(m), {
      mailboxId: mailbox.id,
      actor,
      action: 'recipient.lookup',
      purpose,
    });
  }
}

function statusOf(mailbox: Mailbox | null): LookupStatus {
  const reserved = reservedAgainstDigitalPost(mailbox);
  return {
    status: reserved ? 'reserved' : 'active',
    publicKey: mailbox?.publicKey ?? null,
    endToEnd: Boolean(mailbox?.publicKey) && !reserved,
  };
}
