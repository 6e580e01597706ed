import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { ownerScope } from '#access';
import { systemClock, type AppConfig } from '#config';
import { verifyAccessLogEvidence } from '#evidence';
import { AccessLogStore, Sql } from '#stores';
import { testConfig, testDatabase } from '../../../test/support/fixtures';
import { AccessLogEvidence } from '../src/receipts/access-log-evidence';
import { ReceiptLog } from '../src/receipts/receipt-log';
import { ReceiptSequencer } from '../src/receipts/receipt-sequencer';
import { AccessNoticesAndLeaves1764700000000 } from '../../../migrations/1764700000000-access-notices-and-leaves';

let db: DataSource;
let close: () => Promise<void>;
let config: AppConfig;
let sql: Sql;
const store = new AccessLogStore();

async function mailbox(ref: string): Promise<string> {
  const id = uuidv7();
  await sql.run(
    `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, master_key_version)
     VALUES ($1, $2, $3, 1)`,
    [id, Buffer.from(id), ref],
  );
  return id;
}

beforeAll(async () => {
  let url: string;
  ({ db, close, url } = await testDatabase());
  config = await testConfig(url);
  sql = new Sql(db);
});
afterAll(() => close());

describe('access-log entries in the transparency log', () => {
  it('are hashed as written, get a leaf from the sequencer, and prove their inclusion', async () => {
    const mine = await mailbox('bWluZQ');
    const theirs = await mailbox('dGhlaXJz');
    const actor = { kind: 'agency', id: uuidv7(), name: 'Skatteetaten' };
    const now = new Date();
    await sql.transaction((tx) =>
      store.recordMany(tx, [
        { mailboxId: mine, actor, action: 'recipient.lookup', purpose: 'Check', at: now },
        {
          mailboxId: mine,
          actor,
          action: 'notice.shared',
          purpose: 'Case',
          notice: { dataCategory: 'address', legalBasis: '§ 1', occurredAt: now, system: 'S' },
          at: now,
        },
        {
          mailboxId: mine,
          actor,
          action: 'notice.stored',
          purpose: 'Case',
          notice: { dataCategory: 'address', legalBasis: '§ 1', occurredAt: now },
          withheld: { until: new Date(now.getTime() + 86_400_000), reason: 'Investigation' },
          at: now,
        },
        { mailboxId: theirs, actor, action: 'recipient.lookup', purpose: 'Check', at: now },
      ]),
    );
    const rows = (await db.query(
      'SELECT entry_sha256 IS NOT NULL AS hashed, log_index FROM access_log',
    )) as { hashed: boolean; log_index: string | null }[];
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.hashed && r.log_index === null)).toBe(true);

    const sequencer = new ReceiptSequencer(db, config.receiptSigningKey);
    expect(await sequencer.sequenceBatch()).toBe(4);
    expect(await sequencer.sequenceBatch()).toBe(0);
    const leaves = (await db.query(
      `SELECT type, receipt_id, letter_id, agency_id, recipient_ref, visible_from IS NOT NULL AS later
         FROM receipt_log ORDER BY log_index`,
    )) as Record<string, unknown>[];
    expect(leaves).toHaveLength(4);
    expect(leaves.every((l) => l.type === 'access_entry' && l.receipt_id === null)).toBe(true);
    expect(leaves.filter((l) => l.later)).toHaveLength(1);

    const log = new ReceiptLog(db);
    const evidence = new AccessLogEvidence(db, log, config.receiptSigningKey, systemClock);
    const served = await evidence.evidence(ownerScope({ id: mine }));
    // The withheld entry and its leaf are not shown yet; the other mailbox's never.
    expect(served.entries.map((e) => e.action)).toEqual(['recipient.lookup', 'notice.shared']);
    expect(served.leaves).toHaveLength(2);
    expect(await verifyAccessLogEvidence(served, [config.receiptSigningKey.publicJwk])).toEqual({
      ok: true,
      entries: 2,
      leaves: 2,
      treeSize: 4,
    });
    const proof = await evidence.proof(ownerScope({ id: mine }), served.entries[1]!.id);
    expect(proof.entry).toEqual(served.entries[1]);
    await expect(
      evidence.proof(ownerScope({ id: theirs }), served.entries[1]!.id),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('keeps the log append-only: a leaf cannot be changed, and the schema cannot go back', async () => {
    await expect(db.query("UPDATE receipt_log SET jws = 'x'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM receipt_log')).rejects.toThrow(/append-only/);
    await expect(
      db.query(
        `INSERT INTO receipt_log (log_index, type, at, leaf_hash, jws)
         VALUES (999, 'access_entry', now(), '\\x00', 'x')`,
      ),
    ).rejects.toThrow(/receipt_log_leaf_kind/);
    // Its own down, whatever migrations came after it: the refusal is that migration's.
    const runner = db.createQueryRunner();
    await runner.startTransaction();
    try {
      await expect(new AccessNoticesAndLeaves1764700000000().down(runner)).rejects.toThrow(
        /access-log leaves/,
      );
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
