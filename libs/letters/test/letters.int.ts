import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { Postkasse } from '#composition';
import type { AppConfig } from '#config';
import { readPlatformKey } from '#crypto';
import { DomainError } from '#errors';
import { makeSyntheticNorwegianId } from '#identity';
import { JobProducer, Outbox, producerConnection } from '#queue';
import {
  inlineOpener,
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../test/support/fixtures';
import { CitizenMailbox } from '../src/mailbox/citizen-mailbox';
import { DeliverLetter, type DocumentOpener } from '../src/delivery/deliver-letter';
import { applyTransition } from '../src/letter-transitions';
import { purgeTrash } from '../src/mailbox/purge-trash';
import { MailboxDirectory } from '../src/mailbox/mailbox-directory';
import { ReceiptSequencer } from '../src/receipts/receipt-sequencer';
import { SubmitLetter } from '../src/sending/submit-letter';
import type { LetterSubmission } from '../src/sending/submission-schema';

jest.setTimeout(30_000);

let db: DataSource;
let dbUrl: string;
let close: () => Promise<void>;
let config: AppConfig;
let agencyId: string;
let agencyKey: string;
let platformPublic: string;
let producer: JobProducer;
let deadProducer: JobProducer;
let submit: SubmitLetter;
let outbox: Outbox;
let deadSubmit: SubmitLetter;
let directory: MailboxDirectory;
const prefix = `pk-int-${randomUUID().slice(0, 8)}`;
const nationalId = makeSyntheticNorwegianId(new Date('1988-08-08'), 212, 'tenor');

function submission(text = 'Hei'): Promise<LetterSubmission> {
  return textSubmission(text, nationalId, {
    platformPublicKey: platformPublic,
    signingPrivateKey: agencyKey,
  });
}

function command(s: LetterSubmission, key = randomUUID()) {
  return submitCommand(agencyId, s, key);
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = (await db.query(sql, params)) as { n: string }[];
  return Number(row.n);
}

beforeAll(async () => {
  ({ db, url: dbUrl, close } = await testDatabase());
  config = await testConfig(dbUrl);
  ({ agencyId, signingKey: agencyKey } = await signingAgency(db));
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  platformPublic = platform.key.toPublic().armor();
  producer = new JobProducer(producerConnection(config.redisUrl), prefix);
  await new Promise((r) => setTimeout(r, 300));
  // Nothing listens on port 1: a Redis that is down.
  deadProducer = new JobProducer(producerConnection('redis://127.0.0.1:1'), prefix);
  const root = new Postkasse(config, { db, producer });
  directory = root.mailboxes;
  outbox = root.outbox;
  submit = await root.submitLetter();
  deadSubmit = await new Postkasse(config, { db, producer: deadProducer }).submitLetter();
});

afterAll(async () => {
  await producer.queue('deliver').obliterate({ force: true });
  await producer.close();
  await deadProducer.close();
  await close();
});

describe('submitting a letter', () => {
  it('stores letter, documents, receipt, outbox row and idempotency record together and hands the job over', async () => {
    const result = await submit.execute(command(await submission()));
    expect(result.status).toBe(202);
    const id = result.body.id;
    await outbox.flush();
    expect(await count('SELECT count(*) AS n FROM documents WHERE letter_id = $1', [id])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM receipts WHERE letter_id = $1 AND type = 'accepted'`, [
        id,
      ]),
    ).toBe(1);
    expect(
      await count(
        'SELECT count(*) AS n FROM outbox WHERE subject_id = $1 AND handed_over_at IS NOT NULL',
        [id],
      ),
    ).toBe(1);
    const job = await producer.queue('deliver').getJob(`deliver-${id}`);
    expect(job?.data).toEqual({ letterId: id });
  });

  it('answers 409 while another transaction holds the same key, and replays once it is done', async () => {
    const s = await submission();
    const cmd = command(s);
    const other = new Client({ connectionString: dbUrl });
    await other.connect();
    await other.query('BEGIN');
    await other.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [
      `${agencyId}/${cmd.idempotencyKey}`,
    ]);
    // With Retry-After: asking again shortly gets the first request's answer.
    await expect(submit.execute(cmd)).rejects.toMatchObject({
      status: 409,
      code: 'idempotency.in_flight',
      retryAfterSeconds: 1,
    });
    await other.query('COMMIT');
    await other.end();
    const first = await submit.execute(cmd);
    const replay = await submit.execute(cmd);
    expect(replay).toEqual({ ...first, replayed: true });
  });

  it('keeps idempotency keys per agency', async () => {
    const key = randomUUID();
    const s = await submission();
    const { agencyId: otherAgency } = await signingAgency(db, 'B');
    const a = await submit.execute(command(s, key));
    const b = await submit.execute({ ...command(s, key), agencyId: otherAgency });
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('stores nothing when a document is not an OpenPGP message', async () => {
    const s = await submission();
    s.documents.push({
      filename: 'b.txt',
      mediaType: 'text/plain',
      content: Buffer.from('plain text').toString('base64'),
    });
    const before = await count('SELECT count(*) AS n FROM letters');
    const error = await submit.execute(command(s)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).detail).toContain('documents[1].content');
    expect(await count('SELECT count(*) AS n FROM letters')).toBe(before);
  });

  it('records the hand-over on the outbox row by itself, shortly after', async () => {
    const result = await submit.execute(command(await submission()));
    const handedOver = () =>
      count(
        'SELECT count(*) AS n FROM outbox WHERE subject_id = $1 AND handed_over_at IS NOT NULL',
        [result.body.id],
      );
    for (let i = 0; i < 50 && (await handedOver()) === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await handedOver()).toBe(1);
  });

  it('still accepts with Redis down, leaving the outbox row for the relay', async () => {
    const result = await deadSubmit.execute(command(await submission()));
    expect(result.status).toBe(202);
    const pending = await count(
      'SELECT count(*) AS n FROM outbox WHERE subject_id = $1 AND handed_over_at IS NULL',
      [result.body.id],
    );
    expect(pending).toBe(1);
    const relayed = await new Outbox(producer).relay(db.manager, 0);
    expect(relayed).toBeGreaterThanOrEqual(1);
    expect(await producer.queue('deliver').getJob(`deliver-${result.body.id}`)).toBeDefined();
    expect(await count('SELECT count(*) AS n FROM outbox WHERE handed_over_at IS NULL')).toBe(0);
  });
});

describe('delivering a letter', () => {
  it('delivers once, however often the job runs, with exactly one delivered receipt', async () => {
    const { body } = await submit.execute(command(await submission('twice')));
    const deliver = new DeliverLetter(db, directory, await inlineOpener(config));
    const results = await Promise.all([
      deliver.execute(body.id),
      deliver.execute(body.id),
      deliver.execute(body.id),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['done', 'done', 'done']);
    expect(
      await count(
        `SELECT count(*) AS n FROM receipts WHERE letter_id = $1 AND type = 'delivered'`,
        [body.id],
      ),
    ).toBe(1);
    const [letter] = (await db.query('SELECT state FROM letters WHERE id = $1', [body.id])) as {
      state: string;
    }[];
    expect(letter.state).toBe('delivered');
    expect(
      await count(
        'SELECT count(*) AS n FROM documents WHERE letter_id = $1 AND received IS NULL AND sealed IS NOT NULL',
        [body.id],
      ),
    ).toBe(1);
  });

  it('does not deliver a letter withdrawn while its documents were being opened', async () => {
    const { body } = await submit.execute(command(await submission('withdrawn meanwhile')));
    const opener = await inlineOpener(config);
    // The sender withdraws between the worker's read of the letter and its delivery.
    const racing: DocumentOpener = {
      openAndSeal: async (...args) => {
        const sealed = await opener.openAndSeal(...args);
        await db.transaction((m) => applyTransition(m, body.id, 'withdraw'));
        return sealed;
      },
    };
    const outcome = await new DeliverLetter(db, directory, racing).execute(body.id);
    expect(outcome).toEqual({ kind: 'done', state: 'withdrawn' });
    expect(
      await count(
        `SELECT count(*) AS n FROM receipts WHERE letter_id = $1 AND type IN ('delivered', 'withdrawn')`,
        [body.id],
      ),
    ).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM outbox WHERE subject_id = $1 AND queue = 'notify'`, [
        body.id,
      ]),
    ).toBe(0);
    expect(
      await count(
        'SELECT count(*) AS n FROM documents WHERE letter_id = $1 AND sealed IS NOT NULL',
        [body.id],
      ),
    ).toBe(0);
  });

  it('delivers under the lock, keeping what another run verified while this one was opening', async () => {
    const s = {
      ...(await submission('verified meanwhile')),
      publishAt: new Date(Date.now() + 60_000).toISOString(),
    };
    const { body } = await submit.execute(command(s));
    const opener = await inlineOpener(config);
    const sealedBy = async () =>
      (
        (await db.query('SELECT sealed FROM documents WHERE letter_id = $1', [body.id])) as {
          sealed: Buffer | null;
        }[]
      )[0].sealed;
    let sealedByOther: Buffer | null = null;
    // Another run, for which the letter is not yet due, verifies and stores it meanwhile.
    const racing: DocumentOpener = {
      openAndSeal: async (...args) => {
        const sealed = await opener.openAndSeal(...args);
        const other = await new DeliverLetter(db, directory, opener).execute(body.id);
        expect(other.kind).toBe('not_yet');
        sealedByOther = await sealedBy();
        return sealed;
      },
    };
    const outcome = await new DeliverLetter(db, directory, racing).execute(body.id, {
      now: () => new Date(Date.now() + 120_000),
    });
    expect(outcome).toEqual({ kind: 'done', state: 'delivered' });
    expect(sealedByOther).not.toBeNull();
    // Sealing is randomised: the same bytes mean this run did not overwrite the other's.
    expect((await sealedBy())!.equals(sealedByOther!)).toBe(true);
    expect(
      await count(
        `SELECT count(*) AS n FROM receipts WHERE letter_id = $1 AND type = 'delivered'`,
        [body.id],
      ),
    ).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM documents WHERE letter_id = $1 AND received IS NULL', [
        body.id,
      ]),
    ).toBe(1);
  });

  it('forwards the letter of a recipient who reserved against digital post to print, once', async () => {
    const { body } = await submit.execute(command(await submission('to print')));
    const mailbox = (await directory.find(db.manager, nationalId))!;
    await db.query('UPDATE mailboxes SET reserved = true WHERE id = $1', [mailbox.id]);
    try {
      const deliver = new DeliverLetter(db, directory, await inlineOpener(config));
      expect(await deliver.execute(body.id)).toEqual({ kind: 'done', state: 'forwarded_to_print' });
      expect(await deliver.execute(body.id)).toEqual({ kind: 'done', state: 'forwarded_to_print' });
    } finally {
      await db.query('UPDATE mailboxes SET reserved = false WHERE id = $1', [mailbox.id]);
    }
    const jobs = (await db.query('SELECT queue FROM outbox WHERE subject_id = $1 ORDER BY id', [
      body.id,
    ])) as { queue: string }[];
    expect(jobs.map((j) => j.queue)).toEqual(['deliver', 'print']);
    expect(
      await count(
        `SELECT count(*) AS n FROM receipts WHERE letter_id = $1 AND type = 'forwarded_to_print'`,
        [body.id],
      ),
    ).toBe(1);
  });

  it('verifies on arrival but waits for publishAt', async () => {
    const s = {
      ...(await submission('later')),
      publishAt: new Date(Date.now() + 60_000).toISOString(),
    };
    const { body } = await submit.execute(command(s));
    const deliver = new DeliverLetter(db, directory, await inlineOpener(config));
    const outcome = await deliver.execute(body.id);
    expect(outcome.kind).toBe('not_yet');
    const later = await deliver.execute(body.id, { now: () => new Date(Date.now() + 120_000) });
    expect(later).toEqual({ kind: 'done', state: 'delivered' });
  });
});

describe('the trash', () => {
  it('purges letters left in the trash past the retention period, keeping their receipts', async () => {
    const { body } = await submit.execute(command(await submission('purge me')));
    await new DeliverLetter(db, directory, await inlineOpener(config)).execute(body.id);
    const citizen = new CitizenMailbox(db, directory);
    const mailbox = await citizen.open(nationalId);
    await citizen.move(mailbox, body.id, 'trash');
    expect(await purgeTrash(db, 30)).toBe(0);
    await db.query(`UPDATE letters SET trashed_at = now() - interval '31 days' WHERE id = $1`, [
      body.id,
    ]);
    expect(await purgeTrash(db, 30)).toBe(1);
    await expect(citizen.get(mailbox, body.id)).rejects.toMatchObject({ status: 404 });
    expect(
      await count(
        'SELECT count(*) AS n FROM documents WHERE letter_id = $1 AND sealed IS NOT NULL',
        [body.id],
      ),
    ).toBe(0);
    expect(
      await count('SELECT count(*) AS n FROM receipts WHERE letter_id = $1', [body.id]),
    ).toBeGreaterThanOrEqual(2);
  });
});

describe('the receipt log', () => {
  it('gives every staged receipt one consecutive index, even with two sequencers racing', async () => {
    const a = new ReceiptSequencer(db, config.receiptSigningKey);
    const b = new ReceiptSequencer(db, config.receiptSigningKey);
    while ((await Promise.all([a.sequenceBatch(7), b.sequenceBatch(7)])).some((n) => n > 0));
    const rows = (await db.query('SELECT log_index FROM receipt_log ORDER BY log_index')) as {
      log_index: string;
    }[];
    expect(rows.map((r) => Number(r.log_index))).toEqual(rows.map((_, i) => i));
    expect(await count('SELECT count(*) AS n FROM receipts WHERE log_index IS NULL')).toBe(0);
  });

  it('refuses to update or delete log entries, even for the owner', async () => {
    await expect(db.query('UPDATE receipt_log SET jws = $1', ['x'])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM receipt_log')).rejects.toThrow(/append-only/);
  });
});
