import type { DataSource } from 'typeorm';
import type { Clock } from '#config';
import { AccessLogStore, Sql, accessEntryRecord } from '#stores';
import { decodeCursor, encodeCursor } from '../cursor';

/**
 * What auditors see of withheld access-log entries: all of them, released or not, with the
 * reason, the end of the withholding and the legal basis on which the operator allowed the
 * agency to withhold; each with the entry as its leaf commits to it and the leaf's log index,
 * so the log export shows it was committed when it was written, not when it was released.
 */
export class AccessAudit {
  private readonly sql: Sql;
  private readonly accessLog = new AccessLogStore();

  constructor(
    db: DataSource,
    private readonly clock: Clock,
  ) {
    this.sql = new Sql(db);
  }

  async withheld(limit: number, cursor?: string) {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const rows = await this.accessLog.withheld(this.sql, limit, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const now = this.clock.now().getTime();
    return {
      items: page.map((r) => ({
        mailboxId: r.mailboxId,
        entry: accessEntryRecord(r),
        released: r.withheld!.until.getTime() <= now,
        agencyWithholdingBasis: r.withholdingLegalBasis,
        logIndex: r.logIndex,
      })),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor([last.withheld!.until.toISOString(), last.id])
          : null,
    };
  }
}
