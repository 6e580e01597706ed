import type { DataSource } from 'typeorm';
import type { Mailbox } from '#database';
import { notFound } from '#errors';
import { checkEncryptedPrivateKey, readCitizenKey } from './end-to-end';

export interface MailboxKeyView {
  publicKey: string | null;
  encryptedPrivateKey: string | null;
  fingerprint: string | null;
  updatedAt: string | null;
}

/** The citizen's own OpenPGP key for end-to-end letters (DESIGN "Encryption and signatures"). */
export class MailboxKeys {
  constructor(private readonly db: DataSource) {}

  async get(mailbox: Mailbox): Promise<MailboxKeyView> {
    const [row] = (await this.db.query(
      `SELECT public_key, encrypted_private_key, public_key_fingerprint, key_updated_at
         FROM mailboxes WHERE id = $1`,
      [mailbox.id],
    )) as {
      public_key: string | null;
      encrypted_private_key: string | null;
      public_key_fingerprint: string | null;
      key_updated_at: Date | null;
    }[];
    return {
      publicKey: row?.public_key ?? null,
      encryptedPrivateKey: row?.encrypted_private_key ?? null,
      fingerprint: row?.public_key_fingerprint ?? null,
      updatedAt: row?.key_updated_at?.toISOString() ?? null,
    };
  }

  async put(
    mailbox: Mailbox,
    body: { publicKey: string; encryptedPrivateKey?: string },
  ): Promise<MailboxKeyView> {
    const key = await readCitizenKey(body.publicKey);
    if (body.encryptedPrivateKey !== undefined)
      await checkEncryptedPrivateKey(body.encryptedPrivateKey, key.fingerprint);
    await this.db.query(
      `UPDATE mailboxes SET public_key = $2, encrypted_private_key = $3,
         public_key_fingerprint = $4, key_updated_at = now() WHERE id = $1`,
      [mailbox.id, key.publicKey, body.encryptedPrivateKey ?? null, key.fingerprint],
    );
    return this.get(mailbox);
  }

  /** Letters already sent to the key stay encrypted to it; new ones can no longer be. */
  async remove(mailbox: Mailbox): Promise<void> {
    await this.db.query(
      `UPDATE mailboxes SET public_key = NULL, encrypted_private_key = NULL,
         public_key_fingerprint = NULL, key_updated_at = now() WHERE id = $1`,
      [mailbox.id],
    );
  }

  /**
   * The sending agency's signing keys that were valid when the letter was sent, so the
   * citizen's client can check the signature inside an end-to-end document.
   */
  async senderKeys(
    mailbox: Mailbox,
    letterId: string,
  ): Promise<{ keys: { fingerprint: string; publicKey: string }[] }> {
    const rows = (await this.db.query(
      // A key re-added after a revocation has one row per interval; two may match near the edges.
      `SELECT DISTINCT ON (k.fingerprint) k.fingerprint, k.public_key FROM letters l
         JOIN agency_signing_keys k ON k.agency_id = l.agency_id
        WHERE l.id = $1 AND l.mailbox_id = $2
          AND l.state IN ('delivered', 'read', 'acknowledged')
          AND k.added_at <= l.created_at + interval '5 minutes'
          AND (k.revoked_at IS NULL OR k.revoked_at > l.created_at)
        ORDER BY k.fingerprint, k.added_at DESC`,
      [letterId, mailbox.id],
    )) as { fingerprint: string; public_key: string }[];
    if (rows.length === 0) {
      const [exists] = (await this.db.query(
        `SELECT 1 FROM letters WHERE id = $1 AND mailbox_id = $2
           AND state IN ('delivered', 'read', 'acknowledged')`,
        [letterId, mailbox.id],
      )) as unknown[];
      if (!exists) throw notFound('letter');
    }
    return { keys: rows.map((r) => ({ fingerprint: r.fingerprint, publicKey: r.public_key })) };
  }
}
