import type { DataSource } from 'typeorm';
import type { MailboxScope } from '#access';
import type { Clock } from '#config';
import { DomainError, notFound } from '#errors';
import type { AccessEntryRecord, AccessLeafProof, SignedTreeHead, SigningKey } from '#evidence';
import {
  AccessLogStore,
  MailboxesStore,
  ReceiptsStore,
  Sql,
  accessEntryRecord,
  type AccessLogEntry,
} from '#stores';
import type { ReceiptLog } from './receipt-log';

export interface AccessEntryProof {
  entry: AccessEntryRecord;
  leaf: AccessLeafProof;
  treeHead: SignedTreeHead;
}

export interface AccessLogEvidenceView {
  treeHead: SignedTreeHead;
  entries: AccessEntryRecord[];
  leaves: AccessLeafProof[];
}

const recordOf = (e: AccessLogEntry): AccessEntryRecord => accessEntryRecord(e);

/**
 * What lets a citizen check their access log against the transparency log: each entry as its
 * leaf committed to it, the leaves of their mailbox, and inclusion proofs against one signed
 * tree head (signed now if the latest one does not cover them yet). `verifyAccessLogEvidence`
 * in #evidence checks it offline.
 */
export class AccessLogEvidence {
  private readonly sql: Sql;
  private readonly accessLog = new AccessLogStore();
  private readonly receipts: ReceiptsStore;
  private readonly mailboxes: MailboxesStore;

  constructor(
    db: DataSource,
    private readonly log: ReceiptLog,
    private readonly key: SigningKey,
    private readonly clock: Clock,
  ) {
    this.sql = new Sql(db);
    this.receipts = new ReceiptsStore(this.sql);
    this.mailboxes = new MailboxesStore(this.sql);
  }

  /** One entry's inclusion proof; 409 while its leaf is not in the log yet. */
  async proof(scope: MailboxScope, entryId: string): Promise<AccessEntryProof> {
    return this.proofOf(
      await this.accessLog.visibleEntry(this.sql, scope, entryId, this.clock.now()),
    );
  }

  /**
   * The same for an auditor, withheld or not: the leaf's time shows that an entry released
   * later was committed when it was written.
   */
  async proofForAuditor(entryId: string): Promise<AccessEntryProof> {
    return this.proofOf(await this.accessLog.entryById(this.sql, entryId));
  }

  private async proofOf(entry: AccessLogEntry | null): Promise<AccessEntryProof> {
    if (!entry) throw notFound('access_log_entry');
    if (!entry.committed)
      throw new DomainError(
        409,
        'access_log.not_committed',
        'This entry was written before access-log entries were committed to the transparency log',
      );
    if (entry.logIndex === null)
      throw new DomainError(
        409,
        'access_log.not_yet_logged',
        "The entry's leaf is not in the transparency log yet; try again in a few seconds",
      );
    const treeHead = await this.headCovering(entry.logIndex);
    const [leaf] = await this.proofsOf([entry.logIndex], treeHead);
    return { entry: recordOf(entry), leaf: leaf!, treeHead };
  }

  /** All the citizen may see, with the leaves of their mailbox they may see. */
  async evidence(scope: MailboxScope): Promise<AccessLogEvidenceView> {
    const now = this.clock.now();
    const recipientRef = await this.mailboxes.recipientRefOf(scope);
    // Entries without a leaf are served too: the check names each (it cannot tell one written
    // before leaves existed from one slipped in since, and should not try).
    const entries = await this.accessLog.visibleEntries(this.sql, scope, now);
    const leaves = await this.receipts.accessLeavesOf(recipientRef, now);
    const highest = leaves.reduce((max, l) => Math.max(max, l.index), -1);
    const treeHead = await this.headCovering(highest);
    return {
      treeHead,
      entries: entries.map(recordOf),
      leaves: await this.proofsOf(
        leaves.map((l) => l.index),
        treeHead,
        leaves,
      ),
    };
  }

  /** The latest signed head if it covers `index`, else one signed now over the whole log. */
  private async headCovering(index: number): Promise<SignedTreeHead> {
    const latest = await this.log.latestHead();
    if (latest && latest.treeSize > index) return latest;
    return this.log.headAt(await this.log.refresh(), this.key);
  }

  private async proofsOf(
    indexes: number[],
    head: SignedTreeHead,
    known: { index: number; jws: string }[] = [],
  ): Promise<AccessLeafProof[]> {
    const byIndex = new Map(known.map((k) => [k.index, k.jws]));
    const proofs: AccessLeafProof[] = [];
    for (const index of indexes) {
      const jws = byIndex.get(index) ?? (await this.receipts.entryAt(index))?.jws;
      if (jws === undefined) throw new Error(`log entry ${index} is missing`);
      const { path } = await this.log.inclusionProof(index, head.treeSize);
      proofs.push({ index, jws, inclusionProof: path });
    }
    return proofs;
  }
}
