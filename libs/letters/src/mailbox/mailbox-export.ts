import type { Clock } from '#config';
import type { DataSource } from 'typeorm';
import type { MailboxScope } from '#access';
import { documentAad, unseal } from '#crypto';
import {
  ACCESS_LOG_PAGE_SIZE,
  EXPORT_PATHS,
  accessLogPagePath,
  documentPath,
  exportReadme,
  letterPath,
  receiptsPath,
  type ExportArchiveWriter,
  type ExportedAccessEntry,
  type ExportedDocument,
  type ExportedLetter,
  type ProvenEntry,
  type SignedTreeHead,
  type SigningKey,
} from '#evidence';
import { notFound } from '#errors';
import {
  AccessLogStore,
  FOLDERS,
  MailboxesStore,
  MailboxLettersStore,
  ReceiptsStore,
  Sql,
  type CandidateCursor,
  type DocumentToRead,
  type MailboxLetter,
} from '#stores';
import type { ReceiptLog } from '../receipts/receipt-log';
import type { MailboxDirectory } from './mailbox-directory';
import type { AccessLogEvidence } from '../receipts/access-log-evidence';

/**
 * Letters read per keyset page. Only their metadata and receipts are held at once; documents
 * are read one at a time, so memory does not grow with the mailbox (measured in
 * docs/benchmarks.md at 10,000 letters).
 */
const LETTER_PAGE = 200;

type Proven = (index: number, jws: string) => Promise<ProvenEntry>;
type DataKey = (mailbox: DocumentToRead['mailbox']) => Buffer;

/**
 * The citizen's whole mailbox as one archive (docs/evidence.md, "Mailbox export"): every
 * letter with its documents, metadata and receipts proven against one signed tree head, the
 * access log, a README and a signed manifest. Written into `archive` as it is read, folder by
 * folder with keyset reads.
 *
 * Fetching documents here is not reading them: no `read` receipt is issued, since an export is
 * taken to keep, and counting it as opening every letter would start deadlines running for
 * letters nobody has opened.
 */
export class MailboxExport {
  private readonly sql: Sql;
  private readonly letters: MailboxLettersStore;
  private readonly receipts: ReceiptsStore;
  private readonly mailboxStore: MailboxesStore;
  private readonly accessLog = new AccessLogStore();

  constructor(
    db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly log: ReceiptLog,
    private readonly signingKey: SigningKey,
    /** Withheld access-log entries are exported once released, as the citizen sees them. */
    private readonly clock: Clock,
    private readonly accessEvidence: AccessLogEvidence,
  ) {
    this.sql = new Sql(db);
    this.letters = new MailboxLettersStore(this.sql);
    this.receipts = new ReceiptsStore(this.sql);
    this.mailboxStore = new MailboxesStore(this.sql);
  }

  /**
   * Checks what can fail before the first byte (the mailbox, the tree head), so that the
   * caller can still answer with a problem; the returned function writes the archive.
   */
  async begin(
    scope: MailboxScope,
  ): Promise<(archive: ExportArchiveWriter, now?: Date) => Promise<void>> {
    const mailbox = await this.mailboxStore.identity(scope);
    if (!mailbox) throw notFound('mailbox');
    // One head for the whole archive: every receipt logged before the export began is in it.
    const head = await this.log.headAt(await this.log.refresh(), this.signingKey);
    return (archive, now = new Date()) =>
      this.write(scope, archive, now, mailbox.recipientRef, head);
  }

  private async write(
    scope: MailboxScope,
    archive: ExportArchiveWriter,
    now: Date,
    recipientRef: string,
    head: SignedTreeHead,
  ): Promise<void> {
    const proven: Proven = async (index, jws) => ({
      jws,
      inclusionProof:
        index < head.treeSize ? await this.log.inclusionProof(index, head.treeSize) : null,
    });
    await archive.file(EXPORT_PATHS.readme, exportReadme(now));
    await archive.json(EXPORT_PATHS.treeHead, head);
    // Unwrapped once, and only if a document needs it.
    let key: Buffer | null = null;
    const dataKey: DataKey = (mailbox) => (key ??= this.mailboxes.dataKeyOf(mailbox));
    for (const folder of FOLDERS) {
      let after: CandidateCursor | null = null;
      for (;;) {
        const rows = await this.letters.pageToExport(scope, folder, after, LETTER_PAGE);
        const page = rows.slice(0, LETTER_PAGE);
        const entries = await this.receipts.entriesOfLetters(
          page.map((r) => r.letter.id),
          head.treeSize,
        );
        for (const { letter } of page) {
          const own = entries.filter((e) => e.letterId === letter.id);
          const receipts = await Promise.all(own.map((e) => proven(e.index, e.jws)));
          await this.writeLetter(scope, archive, letter, receipts, dataKey);
        }
        const last = page[page.length - 1];
        if (rows.length <= LETTER_PAGE || !last) break;
        after = last.position;
      }
    }
    await this.writeAccessLog(scope, archive);
    await archive.json(EXPORT_PATHS.accessLogEvidence, await this.accessEvidence.evidence(scope));
    await archive.finish({ recipientRef, treeSize: head.treeSize }, this.signingKey);
  }

  private async writeLetter(
    scope: MailboxScope,
    archive: ExportArchiveWriter,
    letter: MailboxLetter,
    receipts: ProvenEntry[],
    dataKey: DataKey,
  ): Promise<void> {
    const content = letter.endToEnd ? 'openpgp' : 'plaintext';
    const files: { doc: ExportedDocument; bytes: Buffer }[] = [];
    const documents: ExportedDocument[] = [];
    for (const [index, listed] of letter.documents.entries()) {
      const bytes = await this.documentBytes(scope, letter, listed.id, dataKey);
      const doc: ExportedDocument = {
        filename: listed.filename,
        mediaType: listed.mediaType,
        content,
        path: bytes ? documentPath(letter.id, index, listed.filename, content) : null,
      };
      documents.push(doc);
      if (bytes) files.push({ doc, bytes });
    }
    await archive.json(letterPath(letter.id), exportedLetter(letter, documents));
    await archive.json(receiptsPath(letter.id), { receipts });
    for (const { doc, bytes } of files) await archive.file(doc.path!, bytes);
  }

  /** The document as the citizen gets it; null once the mailbox is erased. */
  private async documentBytes(
    scope: MailboxScope,
    letter: MailboxLetter,
    documentId: string,
    dataKey: DataKey,
  ): Promise<Buffer | null> {
    const found = await this.letters.documentToRead(scope, letter.id, documentId);
    const doc = found?.document;
    if (!found || !doc || found.mailbox.erased) return null;
    if (found.endToEnd) return doc.sealed;
    const aad = documentAad(letter.id, doc.id, found.mailbox.masterKeyVersion);
    return unseal(dataKey(found.mailbox), doc.sealed, aad);
  }

  private async writeAccessLog(scope: MailboxScope, archive: ExportArchiveWriter): Promise<void> {
    let after: readonly [string, string] | null = null;
    for (let page = 0; ; page++) {
      const rows = await this.accessLog.page(
        this.sql,
        scope,
        ACCESS_LOG_PAGE_SIZE,
        after,
        this.clock.now(),
      );
      const entries = rows.slice(0, ACCESS_LOG_PAGE_SIZE);
      if (entries.length === 0 && page > 0) return;
      const exported: ExportedAccessEntry[] = entries.map((e) => ({
        id: e.id,
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        purpose: e.purpose,
        letter: e.letter,
      }));
      await archive.json(accessLogPagePath(page), { entries: exported });
      const last = entries[entries.length - 1];
      if (rows.length <= ACCESS_LOG_PAGE_SIZE || !last) return;
      after = [last.at.toISOString(), last.id];
    }
  }
}

const exportedLetter = (l: MailboxLetter, documents: ExportedDocument[]): ExportedLetter => ({
  id: l.id,
  sender: l.sender,
  title: l.title,
  senderReference: l.senderReference,
  state: l.state,
  folder: l.folder,
  deliveredAt: l.deliveredAt.toISOString(),
  readAt: l.readAt?.toISOString() ?? null,
  requiresAcknowledgement: l.requiresAcknowledgement,
  acknowledgedAt: l.acknowledgedAt?.toISOString() ?? null,
  dueDate: l.dueDate,
  endToEnd: l.endToEnd,
  documents,
});
