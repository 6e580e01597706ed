import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { DataSource } from 'typeorm';
import { Postkasse } from '#composition';
import { ownerScope } from '#access';
import type { AppConfig } from '#config';
import { makeSyntheticNorwegianId } from '#identity';
import { JobProducer, producerConnection } from '#queue';
import {
  endToEndDocument,
  inlineOpener,
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
} from '../../../test/support/fixtures';
import { DeliverLetter } from '../src/delivery/deliver-letter';
import { MailboxDirectory } from '../src/mailbox/mailbox-directory';
import { MailboxKeys } from '../src/mailbox/mailbox-keys';
import { RecipientLookup } from '../src/sending/recipient-lookup';
import { SubmitLetter } from '../src/sending/submit-letter';
import type { LetterSubmission } from '../src/sending/submission-schema';

jest.setTimeout(30_000);

let db: DataSource;
let close: () => Promise<void>;
let config: AppConfig;
let agencyId: string;
let agencyKey: string;
let producer: JobProducer;
let submit: SubmitLetter;
let directory: MailboxDirectory;
let citizenPublicKey: string;
const reservedWithKey = makeSyntheticNorwegianId(new Date('1966-06-06'), 616, 'tenor');
const activeWithKey = makeSyntheticNorwegianId(new Date('1977-07-07'), 717, 'tenor');
const reservedWithoutKey = makeSyntheticNorwegianId(new Date('1955-05-05'), 515, 'tenor');

async function endToEndLetter(nationalId: string): Promise<LetterSubmission> {
  return {
    recipient: { nationalId },
    title: 'Kryptert vedtak',
    documents: [await endToEndDocument('Bare du kan lese dette', citizenPublicKey, agencyKey)],
  };
}

async function mailbox(nationalId: string, { reserved, key }: { reserved: boolean; key: boolean }) {
  const row = await directory.findOrCreate(db.manager, nationalId);
  if (key) await new MailboxKeys(db).put(ownerScope(row), { publicKey: citizenPublicKey });
  await db.query('UPDATE mailboxes SET reserved = $2 WHERE id = $1', [row.id, reserved]);
  return row;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = (await db.query(sql, params)) as { n: string }[];
  return Number(row!.n);
}

beforeAll(async () => {
  let url: string;
  ({ db, url, close } = await testDatabase());
  config = await testConfig(url);
  ({ agencyId, signingKey: agencyKey } = await signingAgency(db));
  citizenPublicKey = (
    await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Citizen' }],
      format: 'armored',
    })
  ).publicKey;
  producer = new JobProducer(producerConnection(config.redisUrl), `pk-e2e-res-${randomUUID()}`);
  const root = new Postkasse(config, { db, producer });
  directory = root.mailboxes;
  submit = await root.submitLetter();
  await mailbox(reservedWithKey, { reserved: true, key: true });
  await mailbox(activeWithKey, { reserved: false, key: true });
  await mailbox(reservedWithoutKey, { reserved: true, key: false });
});

afterAll(async () => {
  await producer.queue('deliver').obliterate({ force: true });
  await producer.close();
  await close();
});

describe('end-to-end letters and reserved recipients', () => {
  it('refuses an end-to-end letter to a recipient who reserved against digital post, storing nothing', async () => {
    const key = randomUUID();
    await expect(
      submit.execute(submitCommand(agencyId, await endToEndLetter(reservedWithKey), key)),
    ).rejects.toMatchObject({
      status: 409,
      code: 'recipient.reserved_end_to_end',
      detail: expect.stringMatching(/print and post it yourself/),
    });
    expect(await count('SELECT count(*) AS n FROM letters WHERE agency_id = $1', [agencyId])).toBe(
      0,
    );
    expect(await count('SELECT count(*) AS n FROM idempotency_keys WHERE key = $1', [key])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM outbox')).toBe(0);
  });

  it('says in the lookup answer whether an end-to-end letter is accepted', async () => {
    const lookup = new RecipientLookup(db, directory);
    const { items } = await lookup.execute(
      { kind: 'agency', id: agencyId, name: 'Test agency' },
      { nationalIds: [reservedWithKey, activeWithKey, reservedWithoutKey] },
      'Sending a decision',
    );
    expect(items.map((i) => [i.status, i.publicKey !== null, i.endToEnd])).toEqual([
      ['reserved', true, false],
      ['active', true, true],
      ['reserved', false, false],
    ]);
  });

  it('rejects an end-to-end letter whose recipient reserved after it was accepted, instead of printing it', async () => {
    const { body } = await submit.execute(
      submitCommand(agencyId, await endToEndLetter(activeWithKey)),
    );
    const row = (await directory.find(db.manager, activeWithKey))!;
    await db.query('UPDATE mailboxes SET reserved = true WHERE id = $1', [row.id]);
    try {
      const deliver = new DeliverLetter(db, directory, await inlineOpener(config));
      expect(await deliver.execute(body.id)).toEqual({ kind: 'done', state: 'rejected' });
    } finally {
      await db.query('UPDATE mailboxes SET reserved = false WHERE id = $1', [row.id]);
    }
    const [receipt] = (await db.query(
      `SELECT payload->'reason'->>'code' AS code FROM receipts WHERE letter_id = $1 AND type = 'rejected'`,
      [body.id],
    )) as { code: string }[];
    expect(receipt!.code).toBe('recipient.reserved_end_to_end');
    expect(
      await count(`SELECT count(*) AS n FROM outbox WHERE subject_id = $1 AND queue = 'print'`, [
        body.id,
      ]),
    ).toBe(0);
  });
});
