import type { DataSource } from 'typeorm';
import { AccessLogStore, Sql } from '#stores';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';

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
 * An agency asks whether citizens can receive digital post. Each lookup of a citizen who has a
 * mailbox is written to their access log, with the purpose the agency stated.
 */
export class RecipientLookup {
  private readonly accessLog = new AccessLogStore();

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
  ) {}

  async execute(
    actor: Actor,
    nationalIds: string[],
    purpose: string,
  ): Promise<{ items: LookupItem[] }> {
    nationalIds.forEach((id, i) => this.mailboxes.assertValid(id, `nationalIds[${i}]`));
    return this.db.transaction(async (m) => {
      const tx = new Sql(m);
      const items: LookupItem[] = [];
      for (const nationalId of nationalIds) {
        const mailbox = await this.mailboxes.find(m, nationalId);
        if (mailbox) {
          await this.accessLog.record(tx, {
            mailboxId: mailbox.id,
            actor,
            action: 'recipient.lookup',
            purpose,
          });
        }
        items.push({
          nationalId,
          status: mailbox?.reserved ? 'reserved' : 'active',
          publicKey: mailbox?.publicKey ?? null,
          endToEnd: Boolean(mailbox?.publicKey) && !mailbox?.reserved,
        });
      }
      return { items };
    });
  }
}
