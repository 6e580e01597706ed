import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { makeSyntheticNorwegianId } from '#identity';
import {
  DatabaseProbe,
  LetterDeliveryStore,
  LettersStore,
  Sql,
  col,
  type DeliveryMove,
} from '#stores';
import { submittingDatabase } from '../../../test/support/fixtures';

jest.setTimeout(30_000);

let db: DataSource;
let close: () => Promise<void>;
let submitOne: () => Promise<string>;
let sql: Sql;
let store: LetterDeliveryStore;

beforeAll(async () => {
  ({ db, submitOne, close } = await submittingDatabase(
    makeSyntheticNorwegianId(new Date('1979-03-04'), 311, 'tenor'),
  ));
  sql = new Sql(db);
  store = new LetterDeliveryStore(sql);
});

afterAll(() => close());

const counted = (r: Parameters<typeof col.int>[0]) => col.int(r, 'n');

async function writesFor(letterId: string) {
  const [receipts] = await sql.rows(
    `SELECT count(*) AS n FROM receipts WHERE letter_id = $1 AND type = 'delivered'`,
    [letterId],
    counted,
  );
  const [jobs] = await sql.rows(
    `SELECT count(*) AS n FROM outbox WHERE subject_id = $1 AND queue = 'notify'`,
    [letterId],
    counted,
  );
  return { receipts, jobs };
}

function moveOf(letterId: string, agencyId: string, at: string): DeliveryMove {
  return {
    letterId,
    from: 'accepted',
    to: 'delivered',
    wasVerified: false,
    receipt: {
      id: randomUUID(),
      agencyId,
      type: 'delivered',
      at,
      payload: { letterId, type: 'delivered', at, agencyId, recipientRef: 'r', documents: [] },
    },
    jobs: [{ queue: 'notify', jobId: `notify-${letterId}`, subjectId: letterId }],
    documents: [],
  };
}

describe('LetterDeliveryStore', () => {
  it('reads a letter with its mailbox and its agency’s keys decoded, and null for none', async () => {
    const id = await submitOne();
    const letter = await store.readForDelivery(id);
    expect(letter).toMatchObject({ id, state: 'accepted', verified: false, endToEnd: false });
    expect(letter!.createdAt).toBeInstanceOf(Date);
    expect(letter!.mailbox.wrappedDataKey).toBeInstanceOf(Buffer);
    expect(letter!.agencyKeys).toHaveLength(1);
    expect(letter!.agencyKeys[0].addedAt).toBeInstanceOf(Date);
    expect(letter!.agencyKeys[0].revokedAt).toBeNull();
    expect(await store.receivedDocuments(id)).toEqual([
      expect.objectContaining({ position: 0, filename: 'a.txt', plaintextSha256: null }),
    ]);
    expect(await store.readForDelivery(randomUUID())).toBeNull();
  });

  it('delivers in one statement only while the letter is as read, and writes nothing otherwise', async () => {
    const moved = await submitOne();
    const letter = (await store.readForDelivery(moved))!;
    const at = new Date('2031-01-02T03:04:05.678Z').toISOString();
    const staged = await store.deliverIfStill(moveOf(moved, letter.agencyId, at));
    expect(staged).toEqual([expect.objectContaining({ queue: 'notify', subject_id: moved })]);
    expect(await writesFor(moved)).toEqual({ receipts: 1, jobs: 1 });
    const [deliveredAt] = await sql.rows(
      'SELECT delivered_at FROM letters WHERE id = $1',
      [moved],
      (r) => col.date(r, 'delivered_at'),
    );
    expect(deliveredAt.toISOString()).toBe(at);

    // Withdrawn between the read and the delivery: the statement finds it no longer accepted.
    const raced = await submitOne();
    await sql.transaction((tx) =>
      new LettersStore().moveState(tx, {
        letterId: raced,
        from: 'accepted',
        to: 'withdrawn',
        at: new Date(),
      }),
    );
    expect(await store.deliverIfStill(moveOf(raced, letter.agencyId, at))).toBeNull();
    expect(await writesFor(raced)).toEqual({ receipts: 0, jobs: 0 });
  });

  it('lists accepted letters for the reconciler after the cursor, and none past the last', async () => {
    const id = await submitOne();
    const start = { at: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
    const all = await store.lettersToDeliverAgain(false, 0, start, 1_000);
    const mine = all.find((c) => c.id === id);
    expect(mine).toBeDefined();
    expect(await store.lettersToDeliverAgain(false, 0, all[all.length - 1], 1_000)).toEqual([]);
    expect(await store.lettersToPrintAgain(0, start, 1_000)).toEqual([]);
  });

  it('answers the readiness probe', async () => {
    await expect(new DatabaseProbe(sql).ping()).resolves.toBeUndefined();
  });
});
