import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { newDataKey, unwrapDataKey, wrapDataKey, type MasterKeyring } from '#crypto';
import { invalid } from '#errors';
import {
  nationalIdHmac,
  norwegianNationalId,
  recipientRef,
  type NationalIdScheme,
} from '#identity';
import { Mailbox } from '#database';

export interface NationalIdPolicy {
  pepper: Buffer;
  recipientRefKey: Buffer;
  allowSynthetic: boolean;
  scheme?: NationalIdScheme;
}

/**
 * Finds and creates per-citizen mailboxes. The national identity number only ever reaches the
 * database as an HMAC under the pepper, which lives outside the database.
 */
export class MailboxDirectory {
  private readonly scheme: NationalIdScheme;

  constructor(
    private readonly policy: NationalIdPolicy,
    private readonly masterKeys: MasterKeyring,
  ) {
    this.scheme = policy.scheme ?? norwegianNationalId;
  }

  /** Throws a 400 naming the problem; `field` says where the number came from. */
  assertValid(nationalId: string, field = 'nationalId'): void {
    const result = this.scheme.validate(nationalId, { allowSynthetic: this.policy.allowSynthetic });
    if (!result.ok) {
      throw invalid(
        'recipient.invalid_national_id',
        `${field} is not a valid national identity number: ${result.reason}`,
        {
          field,
        },
      );
    }
  }

  hmacOf(nationalId: string): Buffer {
    return nationalIdHmac(this.policy.pepper, nationalId);
  }

  async find(m: EntityManager, nationalId: string): Promise<Mailbox | null> {
    return m.findOne(Mailbox, { where: { nationalIdHmac: this.hmacOf(nationalId) } });
  }

  async findOrCreate(m: EntityManager, nationalId: string): Promise<Mailbox> {
    const existing = await this.find(m, nationalId);
    if (existing) return existing;
    const id = uuidv7();
    const { wrapped, masterKeyVersion } = wrapDataKey(this.masterKeys, newDataKey(), id);
    // Two first letters may race; the unique HMAC decides and the loser reads the winner's row.
    await m.query(
      `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, wrapped_data_key, master_key_version)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (national_id_hmac) DO NOTHING`,
      [
        id,
        this.hmacOf(nationalId),
        recipientRef(this.policy.recipientRefKey, nationalId),
        wrapped,
        masterKeyVersion,
      ],
    );
    return (await this.find(m, nationalId))!;
  }

  dataKeyOf(mailbox: Pick<Mailbox, 'id' | 'wrappedDataKey' | 'masterKeyVersion'>): Buffer {
    if (!mailbox.wrappedDataKey) throw new Error(`mailbox ${mailbox.id} has been shredded`);
    return unwrapDataKey(
      this.masterKeys,
      mailbox.wrappedDataKey,
      mailbox.masterKeyVersion,
      mailbox.id,
    );
  }
}
