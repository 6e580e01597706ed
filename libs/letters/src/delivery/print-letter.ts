import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { documentAad, unseal } from '#crypto';
import { LetterDeliveryStore, Sql } from '#stores';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';

/**
 * Hands a letter for a citizen who reserved against digital post to print. For now the print
 * service is a spool directory, which it empties as it prints. The letter records when it was
 * spooled, so a job that runs again (or one the reconciler re-created) does not put it there a
 * second time; a crash between the rename and that record spools it again, which the print
 * service can tell by the letter id in letter.json.
 */
export class PrintLetter {
  private readonly letters: LetterDeliveryStore;

  constructor(
    db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly spoolDir: string,
  ) {
    this.letters = new LetterDeliveryStore(new Sql(db));
  }

  async execute(letterId: string): Promise<string | null> {
    const letter = await this.letters.readForPrint(letterId);
    if (!letter || letter.state !== 'forwarded_to_print') return null;
    const dir = join(this.spoolDir, letterId);
    if (letter.spooledAt) return dir;
    if (letter.endToEnd) {
      // Refused at submission and at delivery; only a letter forwarded before that gets here.
      throw new Error(
        `letter ${letterId} is end-to-end: only the citizen can decrypt it, so it cannot be printed`,
      );
    }
    const { mailbox } = letter;
    const dataKey = this.mailboxes.dataKeyOf(mailbox);
    const documents = await this.letters.documentsForPrint(letterId);
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
    await this.letters.markSpooled(letterId);
    return dir;
  }
}
