import type { DataSource, EntityManager } from 'typeorm';
import {
  OpenPgpError,
  documentAad,
  seal,
  sha256,
  verifyDetachedSignature,
  type AgencySigningKey,
  type OpenedDocument,
} from '#crypto';
import { DocumentRow, Letter, Mailbox } from '#database';
import { Outbox, type OutboxRow } from '#queue';
import { applyTransition } from './letter-transitions';
import type { MailboxDirectory } from './mailbox-directory';

/** Decrypts and verifies one document; in production a thread pool with a time limit. */
export interface DocumentOpener {
  open(bytes: Uint8Array, agencyKeys: AgencySigningKey[], at: Date): Promise<OpenedDocument>;
}

const TIMEOUT_ATTEMPTS = 3;

export type DeliveryOutcome =
  { kind: 'done'; state: string } | { kind: 'not_yet'; publishAt: Date };

/**
 * The worker's `deliver` job: verify on arrival (so a bad letter is rejected at once even when
 * `publishAt` lies ahead), seal the plaintext under the mailbox's data key, then deliver at
 * `publishAt` or hand to print for a reserved recipient. Runs any number of times; only the
 * first run that finds the letter `accepted` changes anything.
 */
export class DeliverLetter {
  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly opener: DocumentOpener,
    /** When given, the jobs staged with the delivery are handed to the queue at once. */
    private readonly outbox?: Outbox,
  ) {}

  /**
   * `attempt` counts from 1. A time-out on an early attempt may be our own overload, so it is
   * retried; only a document that keeps timing out is rejected.
   */
  async execute(
    letterId: string,
    { attempt = 1, now = () => new Date() }: { attempt?: number; now?: () => Date } = {},
  ): Promise<DeliveryOutcome> {
    const letter = await this.db.manager.findOne(Letter, { where: { id: letterId } });
    if (!letter || letter.state !== 'accepted')
      return { kind: 'done', state: letter?.state ?? 'missing' };

    if (!letter.verifiedAt) {
      const rejected = await this.verifyAndSeal(letter, attempt);
      if (rejected) return { kind: 'done', state: 'rejected' };
    }
    if (letter.publishAt && letter.publishAt > now()) {
      return { kind: 'not_yet', publishAt: letter.publishAt };
    }
    const staged: OutboxRow[] = [];
    const outcome = await this.db.transaction(async (m) => {
      const [current] = (await m.query('SELECT state FROM letters WHERE id = $1 FOR UPDATE', [
        letterId,
      ])) as { state: string }[];
      if (current.state !== 'accepted') return { kind: 'done', state: current.state } as const;
      const mailbox = await m.findOneOrFail(Mailbox, { where: { id: letter.mailboxId } });
      const event = mailbox.reserved ? 'forward_to_print' : 'deliver';
      const at = now();
      const applied = await applyTransition(m, letterId, event, { at });
      if (applied.changed) {
        if (event === 'forward_to_print') staged.push(await Outbox.stage(m, 'print', letterId));
        // Staged with the delivery itself, so neither email is lost to a crash or a Redis outage.
        if (event === 'deliver') {
          staged.push(await Outbox.stage(m, 'notify', letterId));
          if (letter.reminderAfterDays > 0) staged.push(await Outbox.stage(m, 'remind', letterId));
        }
        await m.query('UPDATE documents SET received = NULL WHERE letter_id = $1', [letterId]);
      }
      return { kind: 'done', state: applied.state } as const;
    });
    // The relay would hand these over within seconds; doing it now saves the citizen the wait.
    if (this.outbox && staged.length > 0) await this.outbox.handOver(this.db.manager, staged);
    return outcome;
  }

  /** Returns true when the letter was rejected. */
  private async verifyAndSeal(letter: Letter, attempt: number): Promise<boolean> {
    const documents = await this.db.manager.find(DocumentRow, {
      where: { letterId: letter.id },
      order: { position: 'ASC' },
    });
    const keys = await this.agencyKeys(this.db.manager, letter.agencyId);
    const mailbox = await this.db.manager.findOneOrFail(Mailbox, {
      where: { id: letter.mailboxId },
    });
    const dataKey = this.mailboxes.dataKeyOf(mailbox);
    const sealed: {
      id: string;
      sealed: Buffer;
      digest: Buffer | null;
      size: number;
      signature: Buffer;
      signer: string;
    }[] = [];
    for (const doc of documents) {
      if (!doc.received) return false;
      if (letter.endToEnd) {
        // The platform cannot decrypt: it checks the agency's detached signature over the
        // ciphertext and keeps the document exactly as received (DESIGN "Encryption and signatures").
        try {
          const verified = await verifyDetachedSignature(
            doc.received,
            doc.receivedSignature ?? new Uint8Array(),
            keys,
            letter.createdAt,
          );
          sealed.push({
            id: doc.id,
            sealed: doc.received,
            digest: null,
            size: doc.received.byteLength,
            signature: doc.receivedSignature!,
            signer: verified.signerFingerprint,
          });
        } catch (error) {
          if (!(error instanceof OpenPgpError)) throw error;
          await this.reject(letter.id, {
            code: error.code,
            detail: `document ${doc.position + 1} (${doc.filename}): ${error.detail}`,
          });
          return true;
        }
        continue;
      }
      let opened: OpenedDocument;
      try {
        opened = await this.opener.open(doc.received, keys, letter.createdAt);
      } catch (error) {
        if (!(error instanceof OpenPgpError)) throw error;
        if (error.code === 'openpgp.timeout' && attempt < TIMEOUT_ATTEMPTS) throw error;
        await this.reject(letter.id, {
          code: error.code,
          detail: `document ${doc.position + 1} (${doc.filename}): ${error.detail}`,
        });
        return true;
      }
      sealed.push({
        id: doc.id,
        sealed: seal(
          dataKey,
          opened.plaintext,
          documentAad(letter.id, doc.id, mailbox.masterKeyVersion),
        ),
        digest: sha256(opened.plaintext),
        size: opened.plaintext.byteLength,
        signature: Buffer.from(opened.detachedSignature),
        signer: opened.signerFingerprint,
      });
    }
    await this.db.transaction(async (m) => {
      // Lock order everywhere: the letter row first, then its documents.
      const [current] = (await m.query(
        'SELECT state, verified_at FROM letters WHERE id = $1 FOR UPDATE',
        [letter.id],
      )) as { state: string; verified_at: Date | null }[];
      if (current.state !== 'accepted' || current.verified_at) return;
      for (const s of sealed) {
        // The letter id names the one partition to look in when documents are partitioned.
        await m.query(
          `UPDATE documents SET sealed = $2, plaintext_sha256 = $3, size = $4, signature = $5,
             signer_fingerprint = $6 WHERE id = $1 AND letter_id = $7`,
          [s.id, s.sealed, s.digest, s.size, s.signature, s.signer, letter.id],
        );
      }
      await m.query(`UPDATE letters SET verified_at = now() WHERE id = $1 AND state = 'accepted'`, [
        letter.id,
      ]);
    });
    return false;
  }

  private async reject(letterId: string, reason: { code: string; detail: string }): Promise<void> {
    await this.db.transaction(async (m) => {
      const applied = await applyTransition(m, letterId, 'reject', { reason });
      if (applied.changed) {
        await m.query('UPDATE documents SET received = NULL WHERE letter_id = $1', [letterId]);
      }
    });
  }

  private async agencyKeys(m: EntityManager, agencyId: string): Promise<AgencySigningKey[]> {
    const rows = (await m.query(
      'SELECT fingerprint, public_key, added_at, revoked_at FROM agency_signing_keys WHERE agency_id = $1',
      [agencyId],
    )) as { fingerprint: string; public_key: string; added_at: Date; revoked_at: Date | null }[];
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      publicKeyArmored: r.public_key,
      addedAt: r.added_at,
      revokedAt: r.revoked_at,
    }));
  }
}
