import type { DataSource } from 'typeorm';
import type { Mailbox } from '#database';
import { AccessLogStore, Sql, type AccessEntry } from '#stores';
import {
  reservedAgainstDigitalPost,
  type MailboxDirectory,
  type RecipientNumber,
} from '../mailbox/mailbox-directory';
import type { WithholdingAsked, WithholdingRules } from '../access/withholding';

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
 * organisations by number. Each lookup is written to the recipient's access log with the
 * purpose the agency stated, whether or not they have a mailbox yet: one is made for them (by
 * the HMAC of a person's number, as a first letter makes it), so that they see the lookup once
 * they log in. An agency the operator allowed to may withhold the entries until a date. An
 * organisation never reserves (its letters are always digital); it has an end-to-end key only
 * if one was set for its mailbox.
 */
export class RecipientLookup {
  private readonly accessLog = new AccessLogStore();

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly withholding: WithholdingRules,
  ) {}

  async execute(
    actor: Actor,
    query: LookupQuery,
    purpose: string,
    withholding: WithholdingAsked = {},
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
    const now = this.withholding.now();
    const withheld = this.withholding.check(withholding, '', now);
    return this.db.transaction(async (m) => {
      const tx = new Sql(m);
      if (withheld) await this.withholding.assertAllowed(tx, actor.id);
      const items: LookupItem[] = [];
      const entries: AccessEntry[] = [];
      for (const recipient of recipients) {
        const mailbox = await this.mailboxes.findOrCreateRecipient(m, recipient);
        entries.push({
          mailboxId: mailbox.id,
          actor,
          action: 'recipient.lookup',
          purpose,
          ...(withheld ? { withheld } : {}),
          at: now,
        });
        items.push({ ...recipient, ...statusOf(mailbox) });
      }
      // One statement for the whole lookup (up to 1,000 recipients).
      await this.accessLog.recordMany(tx, entries);
      return { items };
    });
  }
}

function statusOf(mailbox: Mailbox): LookupStatus {
  const reserved = reservedAgainstDigitalPost(mailbox);
  return {
    status: reserved ? 'reserved' : 'active',
    publicKey: mailbox.publicKey ?? null,
    endToEnd: Boolean(mailbox.publicKey) && !reserved,
  };
}
