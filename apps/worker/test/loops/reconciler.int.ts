import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { Postkasse } from '#composition';
import type { AppConfig } from '#config';
import { readPlatformKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import {
  DeliverLetter,
  DeliverWebhook,
  MailboxDirectory,
  PrintLetter,
  ReceiptSequencer,
  SubmitLetter,
  WebhookRegistry,
} from '#letters';
import {
  JobProducer,
  Outbox,
  jobIdFor,
  producerConnection,
  workerConnection,
  type JobPayloads,
  type QueueName,
} from '#queue';
import {
  inlineOpener,
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../../test/support/fixtures';
import { printProcessor } from '../../src/processors/print.processor';
import { webhookProcessor } from '../../src/processors/webhook.processor';
import { Reconciler } from '../../src/loops/reconciler';

jest.setTimeout(30_000);

const reserved = makeSyntheticNorwegianId(new Date('1944-04-14'), 441, 'tenor');
const active = makeSyntheticNorwegianId(new Date('1981-01-18'), 181, 'tenor');
const prefix = `pk-reconcile-${randomUUID().slice(0, 8)}`;
let db: DataSource;
let close: () => Promise<void>;
let config: AppConfig;
let agencyId: string;
let agencyKey: string;
let platformPublic: string;
let producer: JobProducer;
let outbox: Outbox;
let root: Postkasse;
let submit: SubmitLetter;
let deliver: DeliverLetter;
let spoolDir: string;
let receiver: Server;
const received: string[] = [];
const workers: { worker: Worker; connection: ReturnType<typeof workerConnection> }[] = [];

async function send(nationalId: string, text: string): Promise<string> {
  const submission = await textSubmission(text, nationalId, {
    platformPublicKey: platformPublic,
    signingPrivateKey: agencyKey,
  });
  return (await submit.execute(submitCommand(agencyId, submission))).body.id;
}

/** A letter for the reserved citizen, forwarded to print; its print job is in Redis. */
async function forwarded(text: string): Promise<string> {
  const id = await send(reserved, text);
  expect(await deliver.execute(id)).toEqual({ kind: 'done', state: 'forwarded_to_print' });
  await outbox.flush();
  return id;
}

/** What losing Redis does to one job. */
async function loseJob(queue: QueueName, subjectId: string): Promise<void> {
  const job = await producer.queue(queue).getJob(jobIdFor(queue, subjectId));
  expect(job).toBeDefined();
  await job!.remove();
}

async function hasJob(queue: QueueName, subjectId: string): Promise<boolean> {
  return (await producer.queue(queue).getJob(jobIdFor(queue, subjectId))) !== undefined;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function spooledAt(letterId: string): Promise<Date | null> {
  const [row] = (await db.query('SELECT spooled_at FROM letters WHERE id = $1', [letterId])) as {
    spooled_at: Date | null;
  }[];
  return row!.spooled_at;
}

function startWorker<Q extends QueueName>(
  queue: Q,
  processor: (job: Job<JobPayloads[Q]>) => Promise<unknown>,
): void {
  const connection = workerConnection(config.redisUrl);
  workers.push({
    worker: new Worker(queue, processor as never, { connection, prefix }),
    connection,
  });
}

beforeAll(async () => {
  let url: string;
  ({ db, url, close } = await testDatabase());
  config = await testConfig(url);
  ({ agencyId, signingKey: agencyKey } = await signingAgency(db));
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  platformPublic = platform.key.toPublic().armor();
  producer = new JobProducer(producerConnection(config.redisUrl), prefix);
  await new Promise((r) => setTimeout(r, 300));
  root = new Postkasse(config, { db, producer });
  const directory = root.mailboxes;
  outbox = root.outbox;
  submit = await root.submitLetter();
  deliver = root.deliverLetter(await inlineOpener(config));
  const mailbox = await directory.findOrCreate(db.manager, reserved);
  await db.query('UPDATE mailboxes SET reserved = true WHERE id = $1', [mailbox.id]);
  spoolDir = mkdtempSync(join(tmpdir(), 'pk-spool-'));
  receiver = createServer((req, res) => {
    received.push(String(req.headers['webhook-id']));
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.worker.close()));
  // A Worker leaves a connection it was given open.
  workers.forEach((w) => w.connection.disconnect());
  for (const queue of ['deliver', 'deliver-bulk', 'print', 'webhook'] as const)
    await producer.queue(queue).obliterate({ force: true });
  await producer.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(spoolDir, { recursive: true, force: true });
  await close();
});

describe('the reconciler', () => {
  it('goes on past letters whose jobs are alive, one batch per pass', async () => {
    const waiting = await forwarded('still queued');
    const lost = await forwarded('lost from Redis');
    await loseJob('print', lost);
    const reconciler = new Reconciler(db, producer, 0);

    // One row per pass: the first sees the live job, the second the lost one.
    const recreated = [await reconciler.pass(1), await reconciler.pass(1)];

    expect(recreated).toEqual([0, 1]);
    expect(await hasJob('print', waiting)).toBe(true);
    expect(await hasJob('print', lost)).toBe(true);
  });

  it('re-creates a lost print job, and the letter is spooled exactly once', async () => {
    const id = await forwarded('på papir');
    await loseJob('print', id);
    const reconciler = new Reconciler(db, producer, 0);
    expect(await reconciler.pass()).toBeGreaterThanOrEqual(1);
    expect(await hasJob('print', id)).toBe(true);

    const directory = new MailboxDirectory(config.nationalIds, config.masterKeys);
    startWorker('print', printProcessor(new PrintLetter(db, directory, spoolDir)));
    await waitFor('the letter to be spooled', async () => (await spooledAt(id)) !== null);
    const first = await spooledAt(id);
    const dir = join(spoolDir, id);
    expect(readdirSync(dir).sort()).toEqual(['1-a.txt', 'letter.json']);

    // The print service takes the directory; neither the reconciler nor a job run again puts
    // the letter there a second time.
    rmSync(dir, { recursive: true });
    const printQueue = producer.queue('print');
    await waitFor('the print job to finish', async () =>
      (await printQueue.getJob(jobIdFor('print', id)))!.isCompleted(),
    );
    expect(await reconciler.pass()).toBe(0);
    await (await printQueue.getJob(jobIdFor('print', id)))!.remove();
    await producer.add({ queue: 'print', subjectId: id, data: { letterId: id } });
    await waitFor('the repeated job to finish', async () =>
      Boolean(await (await printQueue.getJob(jobIdFor('print', id)))?.isCompleted()),
    );
    expect(existsSync(dir)).toBe(false);
    expect(await spooledAt(id)).toEqual(first);
  });

  it('re-creates a lost job of a letter sent in a batch on the bulk queue, not the single one', async () => {
    const submission = await textSubmission('i en kampanje', active, {
      platformPublicKey: platformPublic,
      signingPrivateKey: agencyKey,
    });
    const batch = await root.submitLetterBatch();
    const { items } = await batch.execute({
      agencyId,
      idempotencyKey: randomUUID(),
      requestSha256: Buffer.alloc(32, 1),
      letters: [{ idempotencyKey: randomUUID(), submission }],
    });
    const id = 'id' in items[0]! ? items[0].id : '';
    await outbox.flush();
    await loseJob('deliver-bulk', id);

    await new Reconciler(db, producer, 0).pass();
    expect(await hasJob('deliver-bulk', id)).toBe(true);
    expect(await hasJob('deliver', id)).toBe(false);
  });

  it('re-creates a lost webhook delivery job, and the event is delivered once', async () => {
    const registry = new WebhookRegistry(db, config.masterKeys, true, 10);
    const { port } = receiver.address() as AddressInfo;
    const webhook = await registry.create(agencyId, `http://127.0.0.1:${port}/hook`);
    const letterId = await send(active, 'with a webhook');
    await new ReceiptSequencer(db, config.receiptSigningKey, outbox).sequenceBatch();
    await outbox.flush();
    const [delivery] = (await db.query(
      `SELECT d.id, d.receipt_id FROM webhook_deliveries d JOIN receipts r ON r.id = d.receipt_id
        WHERE d.webhook_id = $1 AND r.letter_id = $2`,
      [webhook.id, letterId],
    )) as { id: string; receipt_id: string }[];
    await loseJob('webhook', delivery!.id);

    const reconciler = new Reconciler(db, producer, 0);
    expect(await reconciler.pass()).toBeGreaterThanOrEqual(1);
    expect(await hasJob('webhook', delivery!.id)).toBe(true);
    startWorker(
      'webhook',
      webhookProcessor(
        new DeliverWebhook(db, registry, { timeoutMs: 5_000, allowPrivateTargets: true }),
      ),
    );
    const status = async () =>
      (
        (await db.query('SELECT status FROM webhook_deliveries WHERE id = $1', [delivery!.id])) as {
          status: string;
        }[]
      )[0]!.status;
    await waitFor('the webhook delivery', async () => (await status()) === 'delivered');

    await reconciler.pass();
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((id) => id === delivery!.receipt_id)).toHaveLength(1);
    expect(await status()).toBe('delivered');
  });
});
