import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { makeSyntheticNorwegianId } from '#identity';
import { OutboxStore, ReceiptsStore, Sql } from '#stores';
import { submittingDatabase } from '../../../test/support/fixtures';

jest.setTimeout(30_000);

/** The figures the worker's metrics read on every scrape, on a real database. */
let db: DataSource;
let close: () => Promise<void>;
let submitOne: () => Promise<string>;
let outbox: OutboxStore;
let receipts: ReceiptsStore;
let sql: Sql;

beforeAll(async () => {
  ({ db, submitOne, close } = await submittingDatabase(
    makeSyntheticNorwegianId(new Date('1981-05-06'), 312, 'tenor'),
  ));
  sql = new Sql(db);
  outbox = new OutboxStore(sql);
  receipts = new ReceiptsStore(sql);
});

afterAll(() => close());

describe('the pipeline figures of the stores', () => {
  it('are empty on a new database', async () => {
    expect(await outbox.backlog()).toEqual({ count: 0, oldestAgeMs: null });
    expect(await receipts.sequencerLag()).toEqual({ count: 0, oldestAgeMs: null });
    expect(await receipts.headCoverage()).toEqual({ logSize: 0, headSize: null, headAgeMs: null });
  });

  it('count staged receipts no sequencer has appended, and outbox rows not handed over', async () => {
    await submitOne();
    await submitOne();
    const lag = await receipts.sequencerLag();
    expect(lag.count).toBe(2);
    expect(lag.oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(lag.oldestAgeMs).toBeLessThan(30_000);

    // No relay runs here: what the submissions staged waits, and so does what is staged now.
    const before = (await outbox.backlog()).count;
    await sql.transaction((tx) => outbox.stage(tx, 'notify', [randomUUID(), randomUUID()]));
    const backlog = await outbox.backlog();
    expect(backlog.count).toBe(before + 2);
    expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(backlog.oldestAgeMs).toBeLessThan(30_000);
  });
});
