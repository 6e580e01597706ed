import type { DataSource } from 'typeorm';
import { AccessLogStore, Sql, type AccessEntry } from '#stores';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';
import type { WithholdingAsked, WithholdingRules } from '../access/withholding';

export interface Actor {
  kind: 'agency' | 'auditor';
  id: string;
  name: string;
}

export interface LookupItem {
  nationalId: string;
  status: 'active' | 'reserved';
  publicKey: string | null;
  /**
   * Whether an end-to-end letter is accepted: the citizen registered a key and has not
   * reserved. A reserved citizen's letters are printed, which the platform cannot do with a
   * document only the citizen can decrypt; the agency prints such a letter itself.
   */
  endToEnd: boolean;
}

/**
 * An agency asks whether citizens can receive digital post. Each lookup is written to the
 * person's access log with the purpose the agency stated, whether or not they have a mailbox
 * yet: one is made for them by the HMAC of their number (as a first letter makes it), so that
 * they see the lookup once they log in. An agency the operator allowed to may withhold the
 * entries until a date.
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
    nationalIds: string[],
    purpose: string,
    withholding: WithholdingAsked = {},
  ): Promise<{ items: LookupItem[] }> {
    nationalIds.forEach((id, i) => this.mailboxes.assertValid(id, `nationalIds[${i}]`));
    const now = this.withholding.now();
    const withheld = this.withholding.check(withholding, '', now);
    return this.db.transaction(async (m) => {
      const tx = new Sql(m);
      if (withheld) await this.withholding.assertAllowed(tx, actor.id);
      const items: LookupItem[] = [];
      const entries: AccessEntry[] = [];
      for (const nationalId of nationalIds) {
        const mailbox = await this.mailboxes.findOrCreate(m, nationalId);
        entries.push({
          mailboxId: mailbox.id,
          actor,
          action: 'recipient.lookup',
          purpose,
          ...(withheld ? { withheld } : {}),
          at: now,
        });
        items.push({
          nationalId,
          status: mailbox.reserved ? 'reserved' : 'active',
          publicKey: mailbox.publicKey ?? null,
          endToEnd: Boolean(mailbox.publicKey) && !mailbox.reserved,
        });
      }
      // One statement for the whole lookup (up to 1,000 numbers).
      await this.accessLog.recordMany(tx, entries);
      return { items };
    });
  }
}
