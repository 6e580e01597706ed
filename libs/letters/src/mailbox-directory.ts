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

const MAILBOX_COLUMNS = `id, national_id_hmac, recipient_ref, wrapped_data_key, master_key_version,
  reserved, notification_email, email_confirmed, language, time_zone, public_key, created_at`;

interface MailboxRow {
  id: string;
  national_id_hmac: Buffer;
  recipient_ref: string;
  wrapped_data_key: Buffer | null;
  master_key_version: number;
  reserved: boolean;
  notification_email: string | null;
  email_confirmed: boolean;
  language: Mailbox['language'];
  time_zone: string;
  public_key: string | null;
  created_at: Date;
}

function toMailbox(row: MailboxRow): Mailbox {
  return Object.assign(new Mailbox(), {
    id: row.id,
    nationalIdHmac: row.national_id_hmac,
    recipientRef: row.recipient_ref,
    wrappedDataKey: row.wrapped_data_key,
    masterKeyVersion: row.master_key_version,
    reserved: row.reserved,
    notificationEmail: row.notification_email,
    emailConfirmed: row.email_confirmed,
    language: row.language,
    timeZone: row.time_zone,
    publicKey: row.public_key,
    createdAt: row.created_at,
  });
}

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
    // Plain SQL: every citizen request and every submission looks a mailbox up, and findOne
    // builds its query from the entity's metadata each time (a sixth of what a read allocated).
    const [row] = (await m.query(
      `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE national_id_hmac = $1`,
      [this.hmacOf(nationalId)],
    )) as MailboxRow[];
    return row ? toMailbox(row) : null;
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
