import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Postkasse } from '#composition';
import { readPlatformKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { JobProducer, producerConnection } from '#queue';
import { OutboxStore, ReceiptsStore, Sql } from '#stores';
import {
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../test/support/fixtures';

jest.setTimeout(30_000);

/** The figures the worker's metrics read on every scrape, on a real database. */
let db: DataSource;
let close: () => Promise<void>;
let producer: JobProducer;
let outbox: OutboxStore;
let receipts: ReceiptsStore;
let sql: Sql;
let submitOne: () => Promise<string>;
const prefix = `pk-figures-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  let url: string;
  ({ db, url, close } = await testDatabase());
  const config = await testConfig(url);
  const { agencyId, signingKey } = await signingAgency(db);
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  producer = new JobProducer(producerConnection(config.redisUrl), prefix);
  const submit = await new Postkasse(config, { db, producer }).submitLetter();
  const nationalId = makeSyntheticNorwegianId(new Date('1981-05-06'), 312, 'tenor');
  const keys = {
    platformPublicKey: platform.key.toPublic().armor(),
    signingPrivateKey: signingKey,
  };
  submitOne = async () =>
    (await submit.execute(submitCommand(agencyId, await textSubmission('x', nationalId, keys))))
      .body.id;
  sql = new Sql(db);
  outbox = new OutboxStore(sql);
  receipts = new ReceiptsStore(sql);
});

afterAll(async () => {
  await producer.queue('deliver').obliterate({ force: true });
  await producer.close();
  await close();
});

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
