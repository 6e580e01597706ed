import 'reflect-metadata';
import { setPriority } from 'node:os';
import { Worker } from 'bullmq';
import pino from 'pino';
import { ConfigError, loadConfig, type AppConfig } from '#config';
import { createDataSource } from '#database';
import { loggedError } from '#errors';
import { Postkasse } from '#composition';
import { pipelineGauges, serveMetrics, WorkerMetrics } from '#metrics';
import { purgeTrash, SPLIT_REASONS } from '#letters';
import { createMailSender } from '#notifications';
import { JobProducer, QUEUES, producerConnection, workerConnection } from '#queue';
import { BackgroundLoop } from './loops/background-loop';
import { countJobOutcomes } from './metrics/job-outcomes';
import { Reconciler } from './loops/reconciler';
import { DocumentOpenerPool } from './openpgp/document-opener-pool';
import { checkRegistry } from './processors/registry';
import { deliverProcessor } from './processors/deliver.processor';
import { DeliverIntake } from './processors/deliver-intake';
import { DeliveryBatcher, type Delivery } from './processors/delivery-batcher';
import { printProcessor } from './processors/print.processor';
import { notifyProcessor } from './processors/notify.processor';
import { remindProcessor } from './processors/remind.processor';
import { webhookProcessor } from './processors/webhook.processor';

async function main(config: AppConfig): Promise<void> {
  lowerPriority(config.worker.niceness);
  const logger = pino({
    level: config.logLevel,
    base: { app: 'worker', pid: process.pid },
    // A failed query's parameters hold addresses, titles and document bytes.
    serializers: { err: loggedError },
  });
  const db = createDataSource(config.databaseUrl, config.databasePoolSize);
  await db.initialize();

  const producer = new JobProducer(
    producerConnection(config.redisUrl, config.redisClusterNodes),
    config.queuePrefix,
    {
      webhook: {
        attempts: config.webhooks.attempts,
        backoff: { type: 'exponential', delay: config.webhooks.backoffMs },
      },
    },
  );
  const root = new Postkasse(config, { db, producer });
  const outbox = root.outbox;
  const opener = new DocumentOpenerPool(
    config.platformOpenPgpKey,
    config.openpgpLimits,
    config.worker.documentTimeoutMs,
    config.worker.openpgpThreads,
  );
  const intake = new DeliverIntake(
    opener,
    config.worker.concurrency,
    config.worker.backlogPerThread,
  );
  opener.onWaitingChange(() => intake.update());

  const metrics = new WorkerMetrics();
  metrics.openpgpThreads.set(opener.threads);
  opener.onWaitingChange(() => metrics.openpgpWaiting.set(opener.waiting));
  opener.onRun((run) => metrics.openpgpRunSeconds.observe({ result: run.result }, run.seconds));
  pipelineGauges(metrics, root.pipelineProbe);

  const mailer = createMailSender({
    smtpUrl: config.mail.smtpUrl,
    poolSize: config.notifications.smtpPoolSize,
    dkim: config.notifications.dkim,
  });
  const notifications = root.letterNotifications(mailer, logger);
  const accessNotifications = root.accessLogNotifications(mailer, logger);

  const single = root.deliverLetter(opener);
  const batches = root.deliverLetterBatch(opener, single, (letterId, why) => {
    metrics.deliverySplits.inc({ reason: why });
    logger.debug({ letterId, why }, 'letter delivered alone, out of its batch');
  });
  // Every series from the start, so a scrape shows zeros rather than nothing.
  SPLIT_REASONS.forEach((reason) => metrics.deliverySplits.inc({ reason }, 0));
  (['deliver', 'deliver-bulk'] as const).forEach((queue) =>
    metrics.deliveryBatchLetters.zero({ queue }),
  );
  // One batcher per queue, so that bulk letters never wait in a batch of single ones.
  const delivery = (queue: 'deliver' | 'deliver-bulk'): Delivery =>
    config.worker.deliveryBatch > 1
      ? new DeliveryBatcher(
          (items) => {
            metrics.deliveryBatchLetters.observe({ queue }, items.length);
            return batches.execute(items);
          },
          config.worker.deliveryBatch,
          config.worker.deliveryBatchWaitMs,
        )
      : single;
  const registry = checkRegistry({
    deliver: intake.wrap(deliverProcessor(delivery('deliver'))),
    // Letters sent in batches: the same delivery, from a queue with workers of their own, so
    // a campaign in the thousands does not stand before the single letters sent after it.
    'deliver-bulk': deliverProcessor(delivery('deliver-bulk')),
    print: printProcessor(root.printLetter),
    notify: notifyProcessor(notifications),
    remind: remindProcessor(notifications),
    webhook: webhookProcessor(root.deliverWebhook),
  });

  const workers = QUEUES.map((name) => {
    const worker = new Worker(name, registry[name] as never, {
      connection: workerConnection(config.redisUrl, config.redisClusterNodes),
      prefix: config.queuePrefix,
      concurrency:
        name === 'deliver-bulk' ? config.worker.bulkConcurrency : config.worker.concurrency,
      // A worker killed mid-job leaves it stalled; it must come back however often that happens.
      maxStalledCount: 1_000,
      stalledInterval: 15_000,
    });
    worker.on('failed', (job, err) =>
      logger.warn(
        { queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        'job failed',
      ),
    );
    worker.on('error', (err) => logger.error({ queue: name, err: err.message }, 'worker error'));
    countJobOutcomes(worker, name, metrics);
    if (name === 'deliver') intake.steer(worker);
    return worker;
  });

  // Sequencing polls: a NOTIFY from every transaction that stages a receipt would serialise
  // all their commits on PostgreSQL's notification queue lock, which a profile showed to cost
  // more than the polling's one cheap query per interval.
  const sequencer = root.receiptSequencer;
  const receiptLog = root.receiptLog;
  const sequencing = new BackgroundLoop(
    'sequencer',
    async () => (await sequencer.sequenceBatch()) > 0,
    config.worker.sequencerIntervalMs,
    logger,
  );

  const graceMs = Math.max(1_000, config.worker.relayIntervalMs);
  // One instance for the process: it keeps its place in the tables from pass to pass.
  const reconciler = new Reconciler(db, producer, config.worker.reconcileStaleMs);
  const notificationReconciler = root.notificationReconciler;
  const loops = [
    sequencing,
    new BackgroundLoop(
      'trash-purge',
      async () => (await purgeTrash(db, config.retention.trashDays)) > 0,
      3_600_000,
      logger,
    ),
    // A signed tree head at least every interval while the log grows (DESIGN: every minute).
    new BackgroundLoop(
      'tree-heads',
      async () => {
        const head = await receiptLog.signIfGrown(config.receiptSigningKey);
        if (head) logger.debug({ treeSize: head.treeSize }, 'signed tree head');
        return false;
      },
      config.evidence.treeHeadIntervalMs,
      logger,
    ),
    new BackgroundLoop(
      'relay',
      async () => (await outbox.relay(db.manager, graceMs)) > 0,
      config.worker.relayIntervalMs,
      logger,
    ),
    new BackgroundLoop(
      'reconciler',
      async () => {
        const recreated = await reconciler.pass();
        if (recreated > 0) logger.info({ recreated }, 'reconciler re-created jobs');
        return false;
      },
      config.worker.reconcileIntervalMs,
      logger,
    ),
    // Access-log entries the citizen chose to be told of, released withheld ones included.
    new BackgroundLoop(
      'access-notifications',
      async () => (await accessNotifications.tellDue()) > 0,
      config.access.notifyIntervalMs,
      logger,
    ),
    new BackgroundLoop(
      'notification-reconciler',
      async () => {
        const recreated = await notificationReconciler.pass();
        if (recreated > 0) logger.info({ recreated }, 're-created notification jobs');
        return false;
      },
      config.worker.reconcileIntervalMs,
      logger,
    ),
  ];
  loops.forEach((loop) => loop.start());
  // A metrics port another process holds must not stop this worker from delivering: it runs
  // on, says so, and the target-down alert tells the operator.
  const metricsServer =
    config.worker.metricsPort > 0
      ? await serveMetrics(metrics, config.http.host, config.worker.metricsPort, (err) =>
          logger.warn({ err }, 'metrics scrape failed'),
        ).catch((err: unknown) => {
          logger.error(
            { err, port: config.worker.metricsPort },
            'metrics port unavailable; this worker serves no metrics',
          );
          return null;
        })
      : null;
  logger.info(
    {
      queues: QUEUES,
      concurrency: config.worker.concurrency,
      bulkConcurrency: config.worker.bulkConcurrency,
      deliveryBatch: config.worker.deliveryBatch,
      threads: opener.threads,
      metricsPort: metricsServer?.port ?? null,
    },
    'worker started',
  );

  let stopping = false;
  // Jobs in hand end within their own limits (a document's run, a webhook's request); a drain
  // that takes longer is waiting on something else. After a Redis Cluster failover a queue
  // worker's close was seen never to settle: the process must exit all the same, and jobs still
  // in hand come back to another worker as stalled jobs.
  const drainMs = Math.max(config.worker.documentTimeoutMs, config.webhooks.timeoutMs) + 10_000;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainMs }, 'draining');
    setTimeout(() => {
      logger.error({ drainMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, 2 * drainMs).unref();
    // Finish the jobs in hand, then stop taking new ones; what is left stays in Redis/PostgreSQL.
    const closed = await within(Promise.all(workers.map((w) => w.close())), drainMs);
    if (closed) logger.info('queue workers closed');
    else logger.warn({ drainMs }, 'queue workers did not close in time; going on without them');
    await Promise.all(loops.map((l) => l.stop()));
    logger.info('background loops stopped');
    metricsServer?.server.close();
    await opener.close();
    await outbox.flush();
    mailer.close();
    await within(producer.close(), drainMs);
    await db.destroy();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Whether `work` settled within `ms`; it is left behind if not. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Linux keeps a niceness per thread, and a new thread starts with its creator's. Set first, before
 * the OpenPGP thread pool exists, it covers the main thread and the OpenPGP threads, which do
 * the work; threads started before (V8's collector helpers, libuv's I/O pool) keep the default.
 */
function lowerPriority(niceness: number): void {
  if (niceness > 0) setPriority(niceness);
}

loadConfig()
  .then(main)
  .catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
