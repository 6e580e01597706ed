import type { DataSource } from 'typeorm';
import { Postkasse } from '#composition';
import type { AppConfig } from '#config';
import { readPlatformKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import type { LetterState } from '#lifecycle';
import { JobProducer, producerConnection } from '#queue';
import {
  inlineOpener,
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../test/support/fixtures';
import { DeliverLetter } from '../src/delivery/deliver-letter';

/**
 * Where the lag-tolerant reads go (DATABASE_REPLICA_URL). A second migrated database that never
 * receives a row stands in for a replica that has replayed nothing yet: what the use cases show
 * from it, and what they still take from the primary, tell the two apart. The real streaming
 * replica is in test/cluster.
 */
jest.setTimeout(30_000);

let primary: Awaited<ReturnType<typeof testDatabase>>;
let replica: Awaited<ReturnType<typeof testDatabase>>;
let config: AppConfig;
let producer: JobProducer;
let agencyId: string;
let letterId: string;
const entered: LetterState[] = [];
const nationalId = makeSyntheticNorwegianId(new Date('1966-02-11'), 311, 'tenor');

const routed = () =>
  new Postkasse(config, {
    db: primary.db,
    producer,
    replica: replica.db,
    entered: (state) => entered.push(state),
  });

beforeAll(async () => {
  [primary, replica] = await Promise.all([testDatabase(), testDatabase()]);
  config = await testConfig(primary.url);
  // No job is needed: the letter is delivered by calling the use case.
  producer = new JobProducer(producerConnection('redis://127.0.0.1:1'), 'pk-replica-reads');
  const agency = await signingAgency(primary.db);
  agencyId = agency.agencyId;
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  const root = new Postkasse(config, { db: primary.db, producer });
  const submission = await textSubmission('Fra primærbasen', nationalId, {
    platformPublicKey: platform.key.toPublic().armor(),
    signingPrivateKey: agency.signingKey,
  });
  letterId = (await (await root.submitLetter()).execute(submitCommand(agencyId, submission))).body
    .id;
  await new DeliverLetter(primary.db, root.mailboxes, await inlineOpener(config)).execute(letterId);
});

afterAll(async () => {
  await producer.close();
  await Promise.all([primary.close(), replica.close()]);
});

const lettersIn = (db: DataSource) =>
  db.query('SELECT count(*)::int AS n FROM letters').then((r: { n: number }[]) => r[0].n);

describe('reads routed to a replica', () => {
  it('lists the inbox and counts the summary from the replica, which has not seen the letter', async () => {
    expect(await lettersIn(primary.db)).toBe(1);
    expect(await lettersIn(replica.db)).toBe(0);
    const mailbox = routed().citizenMailbox;
    const scope = await mailbox.open(nationalId);
    expect((await mailbox.list(scope, { folder: 'inbox', limit: 10 })).items).toEqual([]);
    expect(await mailbox.summary(scope)).toEqual({ unread: 0, needsAction: 0 });
    // Without a replica the same reads are the primary's.
    const plain = new Postkasse(config, { db: primary.db, producer }).citizenMailbox;
    const items = (await plain.list(scope, { folder: 'inbox', limit: 10 })).items;
    expect(items.map((l) => l.id)).toEqual([letterId]);
  });

  it('finds a letter the replica has not replayed on the primary, for the citizen and the sender', async () => {
    const root = routed();
    const scope = await root.citizenMailbox.open(nationalId);
    expect((await root.citizenMailbox.get(scope, letterId)).state).toBe('delivered');
    const status = await root.senderLetters.get(agencyId, letterId);
    expect(status.state).toBe('delivered');
    expect(status.timeline.map((t) => t.type)).toEqual(['accepted', 'delivered']);
    expect((await root.senderLetters.receipts(agencyId, letterId)).items).toHaveLength(2);
    // The event feed is the replica's: nothing yet, and the cursor stays where it was.
    expect((await root.senderLetters.events(agencyId, undefined, 10)).items).toEqual([]);
  });

  it('reads the document and records `read` on the primary, and counts the state once', async () => {
    const root = routed();
    const scope = await root.citizenMailbox.open(nationalId);
    const shown = await root.citizenMailbox.get(scope, letterId);
    const read = await root.citizenMailbox.readDocument(scope, letterId, shown.documents[0].id);
    expect(read.content.toString()).toBe('Fra primærbasen');
    await root.citizenMailbox.readDocument(scope, letterId, shown.documents[0].id);
    const [row] = (await primary.db.query('SELECT state FROM letters WHERE id = $1', [
      letterId,
    ])) as { state: string }[];
    expect(row.state).toBe('read');
    expect(entered).toEqual(['read']);
  });
});
