import type { DataSource } from 'typeorm';
import type { MailboxScope } from '#access';
import { notFound } from '#errors';
import { MailboxLettersStore, MailboxesStore, Sql } from '#stores';
import { checkEncryptedPrivateKey, readCitizenKey } from './end-to-end';

export interface MailboxKeyView {
  publicKey: string | null;
  encryptedPrivateKey: string | null;
  fingerprint: string | null;
  updatedAt: string | null;
}

/** The citizen's own OpenPGP key for end-to-end letters (DESIGN "Encryption and signatures"). */
export class MailboxKeys {
  private readonly mailboxes: MailboxesStore;
  private readonly letters: MailboxLettersStore;

  constructor(db: DataSource) {
    const sql = new Sql(db);
    this.mailboxes = new MailboxesStore(sql);
    this.letters = new MailboxLettersStore(sql);
  }

  async get(scope: MailboxScope): Promise<MailboxKeyView> {
    const key = await this.mailboxes.citizenKey(scope);
    return {
      publicKey: key?.publicKey ?? null,
      encryptedPrivateKey: key?.encryptedPrivateKey ?? null,
      fingerprint: key?.fingerprint ?? null,
      updatedAt: key?.updatedAt?.toISOString() ?? null,
    };
  }

  async put(
    scope: MailboxScope,
    body: { publicKey: string; encryptedPrivateKey?: string },
  ): Promise<MailboxKeyView> {
    const key = await readCitizenKey(body.publicKey);
    if (body.encryptedPrivateKey !== undefined)
      await checkEncryptedPrivateKey(body.encryptedPrivateKey, key.fingerprint);
    await this.mailboxes.setCitizenKey(scope, {
      publicKey: key.publicKey,
      encryptedPrivateKey: body.encryptedPrivateKey ?? null,
      fingerprint: key.fingerprint,
    });
    return this.get(scope);
  }

  /** Letters already sent to the key stay encrypted to it; new ones can no longer be. */
  async remove(scope: MailboxScope): Promise<void> {
    await this.mailboxes.setCitizenKey(scope, null);
  }

  /**
   * The sending agency's signing keys that were valid when the letter was sent, so the
   * citizen's client can check the signature inside an end-to-end document.
   */
  async senderKeys(
    scope: MailboxScope,
    letterId: string,
  ): Promise<{ keys: { fingerprint: string; publicKey: string }[] }> {
    const keys = await this.letters.senderKeys(scope, letterId);
    if (!keys) throw notFound('letter');
    return { keys };
  }
}
