import { randomUUID } from 'node:crypto';
import { DataSource, type Logger, type QueryRunner } from 'typeorm';
import { Postkasse } from '#composition';
import { dataSourceOptions } from '#database';
import { makeSyntheticNorwegianId } from '#identity';
import { JobProducer, producerConnection } from '#queue';
import { OutboxStore, ReceiptsStore, Sql } from '#stores';
import { inlineOpener, submittingDatabase, testConfig } from '../../../test/support/fixtures';

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

/**
 * Counts what a DataSource sends: every statement is a round trip; a commit is the end of a
 * transaction that wrote, or a statement that wrote on its own (a read's implicit commit
 * flushes nothing, so it is not counted).
 */
class StatementCounter implements Logger {
  roundTrips = 0;
  commits = 0;
  private readonly wrote = new WeakMap<QueryRunner, boolean>();
  logQuery(query: string, _parameters?: unknown[], runner?: QueryRunner): void {
    this.roundTrips += 1;
    const writes = /\b(INSERT|UPDATE|DELETE)\b/i.test(query);
    if (/^(START TRANSACTION|BEGIN)/.test(query) && runner) this.wrote.set(runner, false);
    else if (query === 'COMMIT') this.commits += runner && this.wrote.get(runner) ? 1 : 0;
    else if (runner?.isTransactionActive) this.wrote.set(runner, this.wrote.get(runner) || writes);
    else if (writes) this.commits += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
  reset(): void {
    this.roundTrips = 0;
    this.commits = 0;
  }
}

describe('the round trips and commits of delivery', () => {
  const counter = new StatementCounter();
  let counted: DataSource;
  let producer: JobProducer;
  let root: Postkasse;

  beforeAll(async () => {
    const { url } = db.options as { url: string };
    counted = await new DataSource({ ...dataSourceOptions(url, 4), logger: counter }).initialize();
    const config = await testConfig(url);
    producer = new JobProducer(
      producerConnection(config.redisUrl),
      `pk-fig-${randomUUID().slice(0, 8)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    root = new Postkasse(config, { db: counted, producer });
  });

  afterAll(async () => {
    for (const q of ['notify', 'remind'] as const)
      await producer.queue(q).obliterate({ force: true });
    await producer.close();
    await counted.destroy();
  });

  /** Per letter, for `letters` letters delivered as `deliver` does, hand-overs recorded. */
  async function perLetter(letters: number, deliver: (ids: string[]) => Promise<void>) {
    const ids: string[] = [];
    for (let i = 0; i < letters; i += 1) ids.push(await submitOne());
    await root.outbox.flush();
    counter.reset();
    await deliver(ids);
    await root.outbox.flush();
    const states = (await db.query('SELECT DISTINCT state FROM letters WHERE id = ANY($1)', [
      ids,
    ])) as { state: string }[];
    expect(states).toEqual([{ state: 'delivered' }]);
    return { roundTrips: counter.roundTrips / letters, commits: counter.commits / letters };
  }

  it('are fewer per letter in batches than one letter at a time', async () => {
    const opener = await inlineOpener(root.config);
    const single = root.deliverLetter(opener);
    const batch = root.deliverLetterBatch(opener, single);
    const alone = await perLetter(8, async (ids) => {
      for (const id of ids) await single.execute(id);
    });
    const byBatch = async (size: number) =>
      perLetter(16, async (ids) => {
        for (let i = 0; i < ids.length; i += size)
          await batch.execute(ids.slice(i, i + size).map((letterId) => ({ letterId, attempt: 1 })));
      });
    const four = await byBatch(4);
    const sixteen = await byBatch(16);
    console.log(
      `[figures] delivery per letter: alone ${alone.roundTrips} round trips, ${alone.commits} commits; ` +
        `batches of 4 ${four.roundTrips}, ${four.commits}; batches of 16 ${sixteen.roundTrips}, ${sixteen.commits}`,
    );
    // Alone: the letter and its documents read (two statements), one delivery statement.
    expect(alone.roundTrips).toBeGreaterThanOrEqual(3);
    expect(alone.commits).toBeGreaterThanOrEqual(1);
    expect(alone.commits).toBeLessThan(2);
    // In a batch: one read and one delivery statement for all of it, plus the hand-overs' mark.
    expect(four.roundTrips).toBeLessThanOrEqual(0.75);
    expect(four.commits).toBeLessThanOrEqual(0.75);
    expect(sixteen.roundTrips).toBeLessThanOrEqual(0.25);
    expect(sixteen.commits).toBeLessThanOrEqual(0.25);
  });
});
