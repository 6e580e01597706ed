import type { DataSource } from 'typeorm';
import type { JWK } from 'jose';
import { leafHash, signAccessLeaf, signReceipt } from '#evidence';
import {
  AccessLogStore,
  OutboxStore,
  ReceiptsStore,
  Sql,
  WebhooksStore,
  type AccessLeafEntry,
  type LogEntry,
} from '#stores';
import type { Outbox, OutboxRow } from '#queue';

/** An arbitrary constant that names the sequencer's advisory lock. */
const SEQUENCER_LOCK = 0x706b5f6c6f67;

/**
 * Gives staged receipts their log index, signs them and appends them to the insert-only log;
 * then the same for access-log entries written since (each one's leaf: recipientRef, time,
 * entry hash), so that both kinds share one log, one tree and one set of signed heads.
 * Several workers may run it; the advisory lock makes exactly one of them sequence at a time,
 * so no two entries ever share an index.
 */
export class ReceiptSequencer {
  private readonly sql: Sql;
  private readonly receipts: ReceiptsStore;
  private readonly webhooks: WebhooksStore;
  private readonly outboxStore: OutboxStore;
  private readonly accessLog = new AccessLogStore();

  constructor(
    private readonly db: DataSource,
    private readonly key: { privateJwk: JWK; kid: string },
    /** When given, webhook deliveries staged with the batch are handed to the queue at once. */
    private readonly outbox?: Outbox,
    /** The time an access leaf is committed at (a test's clock in end-to-end tests). */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sql = new Sql(db);
    this.receipts = new ReceiptsStore(this.sql);
    this.outboxStore = new OutboxStore(this.sql);
    this.webhooks = new WebhooksStore(this.sql);
  }

  /** Sequences one batch; returns how many entries were appended (0 when another holds the lock). */
  async sequenceBatch(batch = 500): Promise<number> {
    const { count, jobs } = await this.appendBatch(batch);
    if (this.outbox && jobs.length > 0) await this.outbox.handOver(this.db.manager, jobs);
    return count;
  }

  private async appendBatch(batch: number): Promise<{ count: number; jobs: OutboxRow[] }> {
    const none = { count: 0, jobs: [] as OutboxRow[] };
    return this.sql.transaction(async (tx) => {
      if (!(await tx.tryTransactionLock(SEQUENCER_LOCK))) return none;
      const staged = await this.receipts.stagedBatch(tx, batch);
      const accessEntries = await this.accessLog.unlogged(tx, batch);
      if (staged.length === 0 && accessEntries.length === 0) return none;
      let index = await this.receipts.nextLogIndex(tx);
      const entries: LogEntry[] = [];
      for (const receipt of staged) {
        const jws = await signReceipt({ ...receipt.payload, logIndex: index }, this.key);
        entries.push({
          logIndex: index,
          receiptId: receipt.id,
          letterId: receipt.letterId,
          agencyId: receipt.agencyId,
          type: receipt.type,
          at: receipt.at,
          leafHash: leafHash(Buffer.from(jws, 'utf8')),
          jws,
        });
        index += 1;
      }
      const leaves: (AccessLeafEntry & { id: string })[] = [];
      // The leaf says when it was committed, not when the entry says it was written: a row
      // slipped into the access log later with an old time is caught by the difference.
      const committedAt = this.now();
      for (const e of accessEntries) {
        const jws = await signAccessLeaf(
          {
            recipientRef: e.recipientRef,
            at: committedAt.toISOString(),
            entryHash: e.entrySha256.toString('base64url'),
            logIndex: index,
          },
          this.key,
        );
        const leaf = leafHash(Buffer.from(jws, 'utf8'));
        leaves.push({ ...e, at: committedAt, logIndex: index, leafHash: leaf, jws });
        index += 1;
      }
      let jobs: OutboxRow[] = [];
      if (entries.length > 0) {
        await this.receipts.append(tx, entries);
        // Each new receipt goes to the agency's webhooks that want its type, in this transaction.
        const deliveries = await this.webhooks.fanOut(tx, entries);
        jobs = await this.outboxStore.stage(tx, 'webhook', deliveries);
      }
      if (leaves.length > 0) {
        await this.receipts.appendAccessLeaves(tx, leaves);
        await this.accessLog.markLogged(tx, leaves);
      }
      return { count: entries.length + leaves.length, jobs };
    });
  }
}
