import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Postkasse } from '#composition';
import type { AppConfig } from '#config';
import { OpenPgpError, readPlatformKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { JobProducer, producerConnection } from '#queue';
import {
  inlineOpener,
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../test/support/fixtures';
import type { DocumentOpener } from '../src/delivery/deliver-letter';
import type { SplitReason } from '../src/delivery/deliver-letter-batch';
import { applyTransition } from '../src/letter-transitions';
import type { SubmitLetter } from '../src/sending/submit-letter';

jest.setTimeout(60_000);

const DAY_MS = 60_000;
let db: DataSource;
let close: () => Promise<void>;
let config: AppConfig;
let root: Postkasse;
let producer: JobProducer;
let submit: SubmitLetter;
let opener: DocumentOpener;
let agencyId: string;
let keys: { platformPublicKey: string; signingPrivateKey: string };
let strangerKey: string;
const prefix = `pk-batch-${randomUUID().slice(0, 8)}`;
const nationalId = makeSyntheticNorwegianId(new Date('1984-04-04'), 214, 'tenor');

beforeAll(async () => {
  let url: string;
  ({ db, url, close } = await testDatabase());
  config = await testConfig(url, { REMINDER_DAY_MS: String(DAY_MS) });
  let signingKey: string;
  ({ agencyId, signingKey } = await signingAgency(db));
  ({ signingKey: strangerKey } = await signingAgency(db, 'Another agency'));
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  keys = { platformPublicKey: platform.key.toPublic().armor(), signingPrivateKey: signingKey };
  producer = new JobProducer(producerConnection(config.redisUrl), prefix);
  await new Promise((r) => setTimeout(r, 300));
  root = new Postkasse(config, { db, producer });
  submit = await root.submitLetter();
  opener = await inlineOpener(config);
});

afterAll(async () => {
  for (const q of ['deliver', 'notify', 'remind'] as const)
    await producer.queue(q).obliterate({ force: true });
  await producer.close();
  await close();
});

async function submitted(
  text: string,
  extra: { publishAt?: string; signer?: string } = {},
): Promise<string> {
  const s = await textSubmission(text, nationalId, {
    ...keys,
    signingPrivateKey: extra.signer ?? keys.signingPrivateKey,
  });
  const { body } = await submit.execute(
    submitCommand(agencyId, extra.publishAt ? { ...s, publishAt: extra.publishAt } : s),
  );
  return body.id;
}

async function figures(ids: string[]) {
  const rows = (await db.query(
    `SELECT l.id, l.state,
            (SELECT count(*) FROM receipts r WHERE r.letter_id = l.id
              AND r.type IN ('delivered', 'rejected', 'withdrawn'))::int AS receipts,
            (SELECT count(*) FROM outbox o WHERE o.subject_id = l.id AND o.queue = 'notify')::int AS notify,
            (SELECT count(*) FROM documents d WHERE d.letter_id = l.id
              AND d.received IS NULL AND d.sealed IS NOT NULL)::int AS sealed
       FROM letters l WHERE l.id = ANY($1)`,
    [ids],
  )) as { id: string; state: string; receipts: number; notify: number; sealed: number }[];
  return ids.map((id) => rows.find((r) => r.id === id)!);
}

function batchWith(o: DocumentOpener = opener) {
  const splits: { letterId: string; why: SplitReason }[] = [];
  const single = root.deliverLetter(o);
  const batch = root.deliverLetterBatch(o, single, (letterId, why) =>
    splits.push({ letterId, why }),
  );
  return { batch, splits };
}

describe('delivering letters in a batch', () => {
  it('delivers every letter once, with its receipt, sealed documents and jobs, none alone', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => submitted(`batch ${n}`)));
    const { batch, splits } = batchWith();
    const results = await batch.execute(ids.map((letterId) => ({ letterId, attempt: 1 })));
    expect(results).toEqual(
      ids.map(() => ({ status: 'fulfilled', value: { kind: 'done', state: 'delivered' } })),
    );
    expect(splits).toEqual([]);
    for (const f of await figures(ids))
      expect(f).toMatchObject({ state: 'delivered', receipts: 1, notify: 1, sealed: 1 });

    // Run again, as a stalled job would be: nothing changes, nothing goes alone.
    const again = await batch.execute(ids.map((letterId) => ({ letterId, attempt: 2 })));
    expect(again.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(splits).toEqual([]);
    for (const f of await figures(ids)) expect(f).toMatchObject({ receipts: 1, notify: 1 });
  });

  it('stages the reminder due reminderAfterDays days after delivery, and hands it over delayed', async () => {
    const [id] = [await submitted('reminded')];
    const { batch } = batchWith();
    await batch.execute([{ letterId: id, attempt: 1 }]);
    const [row] = (await db.query(
      `SELECT extract(epoch FROM o.due_at - l.delivered_at) * 1000 AS after_ms
         FROM outbox o JOIN letters l ON l.id = o.subject_id
        WHERE o.subject_id = $1 AND o.queue = 'remind'`,
      [id],
    )) as { after_ms: string }[];
    expect(Number(row.after_ms)).toBe(7 * DAY_MS);
    const [notify] = (await db.query(
      `SELECT due_at FROM outbox WHERE subject_id = $1 AND queue = 'notify'`,
      [id],
    )) as { due_at: Date | null }[];
    expect(notify.due_at).toBeNull();

    const job = await producer.queue('remind').getJob(`remind-${id}`);
    expect(job).toBeDefined();
    expect(await job!.getState()).toBe('delayed');
    expect(job!.opts.delay).toBeGreaterThan(7 * DAY_MS - 10_000);
    expect(job!.opts.delay).toBeLessThanOrEqual(7 * DAY_MS);
    expect(await (await producer.queue('notify').getJob(`notify-${id}`))!.getState()).toBe(
      'waiting',
    );

    // Had the hand-over been lost, the relay gives BullMQ what is left of the delay.
    await root.outbox.flush();
    await job!.remove();
    await db.query(
      `UPDATE outbox SET handed_over_at = NULL WHERE subject_id = $1 AND queue = 'remind'`,
      [id],
    );
    expect(await root.outbox.relay(db.manager, 0)).toBeGreaterThanOrEqual(1);
    const relayed = await producer.queue('remind').getJob(`remind-${id}`);
    expect(await relayed!.getState()).toBe('delayed');
    expect(relayed!.opts.delay).toBeGreaterThan(7 * DAY_MS - 10_000);
    expect(relayed!.opts.delay).toBeLessThanOrEqual(7 * DAY_MS);
  });

  it('splits out what it cannot deliver together, and each gets the answer it would alone', async () => {
    const good = await submitted('good');
    const forged = await submitted('signed by another agency', { signer: strangerKey });
    const later = await submitted('later', {
      publishAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const delivered = await submitted('delivered before');
    const withdrawn = await submitted('withdrawn while verifying');
    await batchWith().batch.execute([{ letterId: delivered, attempt: 1 }]);
    const missing = randomUUID();

    // The sender withdraws one letter while the batch verifies its documents.
    const racing: DocumentOpener = {
      openAndSeal: async (...args) => {
        const sealed = await opener.openAndSeal(...args);
        if (args[3].aad.includes(Buffer.from(withdrawn)))
          await db.transaction((m) => applyTransition(m, withdrawn, 'withdraw'));
        return sealed;
      },
    };
    const { batch, splits } = batchWith(racing);
    const items = [good, forged, later, delivered, withdrawn, missing, good];
    const results = await batch.execute(items.map((letterId) => ({ letterId, attempt: 1 })));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual([
      { kind: 'done', state: 'delivered' },
      { kind: 'done', state: 'rejected' },
      { kind: 'not_yet', publishAt: expect.any(Date) },
      { kind: 'done', state: 'delivered' },
      { kind: 'done', state: 'withdrawn' },
      { kind: 'done', state: 'missing' },
      { kind: 'done', state: 'delivered' },
    ]);
    expect(splits.sort((a, b) => a.why.localeCompare(b.why))).toEqual([
      { letterId: withdrawn, why: 'conflict' },
      { letterId: forged, why: 'rejected' },
      { letterId: later, why: 'unusual' },
      { letterId: missing, why: 'unusual' },
    ]);
    const [g, f, l, d, w] = await figures([good, forged, later, delivered, withdrawn]);
    expect(g).toMatchObject({ state: 'delivered', receipts: 1, notify: 1, sealed: 1 });
    expect(f).toMatchObject({ state: 'rejected', receipts: 1, notify: 0, sealed: 0 });
    expect(l).toMatchObject({ state: 'accepted', receipts: 0, notify: 0 });
    expect(d).toMatchObject({ state: 'delivered', receipts: 1, notify: 1 });
    expect(w).toMatchObject({ state: 'withdrawn', receipts: 1, notify: 0, sealed: 0 });
  });

  it('fails only the job of a letter whose verification timed out, for a retry, delivering the rest', async () => {
    const [slow, fine] = [await submitted('timed out'), await submitted('fine')];
    const timingOut: DocumentOpener = {
      openAndSeal: (...args) =>
        args[3].aad.includes(Buffer.from(slow))
          ? Promise.reject(new OpenPgpError('openpgp.timeout', 'stopped after running 3001 ms'))
          : opener.openAndSeal(...args),
    };
    const { batch, splits } = batchWith(timingOut);
    const [a, b] = await batch.execute([
      { letterId: slow, attempt: 1 },
      { letterId: fine, attempt: 1 },
    ]);
    expect(a).toMatchObject({ status: 'rejected', reason: { code: 'openpgp.timeout' } });
    expect(b).toEqual({ status: 'fulfilled', value: { kind: 'done', state: 'delivered' } });
    expect(splits).toEqual([{ letterId: slow, why: 'verification' }]);
    const [s, f] = await figures([slow, fine]);
    expect(s).toMatchObject({ state: 'accepted', receipts: 0, notify: 0, sealed: 0 });
    expect(f).toMatchObject({ state: 'delivered', receipts: 1, notify: 1, sealed: 1 });

    // Its third attempt times out too: then it is rejected, as it would be alone.
    const [last] = await batch.execute([{ letterId: slow, attempt: 3 }]);
    expect(last).toEqual({ status: 'fulfilled', value: { kind: 'done', state: 'rejected' } });
    expect((await figures([slow]))[0]).toMatchObject({ state: 'rejected', receipts: 1 });
  });

  it('delivers each letter once when two workers batch the same letters at the same time', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => submitted(`race ${n}`)));
    const first = batchWith();
    const second = batchWith();
    const [a, b] = await Promise.all([
      first.batch.execute(ids.map((letterId) => ({ letterId, attempt: 1 }))),
      second.batch.execute([...ids].reverse().map((letterId) => ({ letterId, attempt: 1 }))),
    ]);
    expect([...a, ...b].every((r) => r.status === 'fulfilled')).toBe(true);
    for (const f of await figures(ids))
      expect(f).toMatchObject({ state: 'delivered', receipts: 1, notify: 1, sealed: 1 });
  });
});
