import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { documentAad, unseal } from '#crypto';
import { DocumentRow, Letter, Mailbox } from '#database';
import type { MailboxDirectory } from './mailbox-directory';

/**
 * Hands a letter for a citizen who reserved against digital post to print. For now the print
 * service is a spool directory; writing the same files twice is harmless, so a repeat is fine.
 */
export class PrintLetter {
  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly spoolDir: string,
  ) {}

  async execute(letterId: string): Promise<string | null> {
    const letter = await this.db.manager.findOne(Letter, { where: { id: letterId } });
    if (!letter || letter.state !== 'forwarded_to_print') return null;
    const mailbox = await this.db.manager.findOneOrFail(Mailbox, {
      where: { id: letter.mailboxId },
    });
    const dataKey = this.mailboxes.dataKeyOf(mailbox);
    const documents = await this.db.manager.find(DocumentRow, {
      where: { letterId },
      order: { position: 'ASC' },
    });
    const dir = join(this.spoolDir, letterId);
    const partial = `${dir}.partial`;
    mkdirSync(partial, { recursive: true });
    for (const doc of documents) {
      if (!doc.sealed) continue;
      const plaintext = unseal(
        dataKey,
        doc.sealed,
        documentAad(letterId, doc.id, mailbox.masterKeyVersion),
      );
      writeFileSync(join(partial, `${doc.position + 1}-${doc.filename}`), plaintext, {
        mode: 0o600,
      });
    }
    writeFileSync(
      join(partial, 'letter.json'),
      JSON.stringify({
        letterId,
        title: letter.title,
        agencyId: letter.agencyId,
        mailboxId: mailbox.id,
      }),
    );
    // The print service only picks up complete directories.
    try {
      renameSync(partial, dir);
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' &&
        (error as NodeJS.ErrnoException).code !== 'EEXIST'
      )
        throw error;
    }
    return dir;
  }
}
