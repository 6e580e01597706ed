import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import type { AccessAction } from './access-actions';
import type { MailboxDirectory } from './mailbox-directory';

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
      const items: LookupItem[] = [];
      for (const nationalId of nationalIds) {
        const mailbox = await this.mailboxes.find(m, nationalId);
        if (mailbox) {
          await recordAccess(m, mailbox.id, actor, 'recipient.lookup', purpose);
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

export async function recordAccess(
  m: { query: (sql: string, params: unknown[]) => Promise<unknown> },
  mailboxId: string,
  actor: Actor,
  action: AccessAction,
  purpose: string,
  letterId: string | null = null,
): Promise<void> {
  await m.query(
    `INSERT INTO access_log (id, mailbox_id, actor_kind, actor_id, actor_name, action, purpose, letter_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [uuidv7(), mailboxId, actor.kind, actor.id, actor.name, action, purpose, letterId],
  );
}
