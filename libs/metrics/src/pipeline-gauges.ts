import type { Job, JobType } from 'bullmq';
import { Gauge } from 'prom-client';
import { QUEUES, type JobProducer, type QueueName } from '#queue';
import type { Backlog, HeadCoverage, OutboxStore, ReceiptsStore } from '#stores';
import type { Metrics } from './metrics';

/** The queue states reported, each with the job time its oldest job's age is counted from. */
const STATES = {
  waiting: (job: Job) => job.timestamp,
  active: (job: Job) => job.processedOn ?? job.timestamp,
  delayed: (job: Job) => job.timestamp,
  failed: (job: Job) => job.finishedOn ?? job.timestamp,
} as const;
type QueueState = keyof typeof STATES;

interface QueueFigures {
  queue: QueueName;
  state: QueueState;
  count: number;
  oldestAgeMs: number | null;
}

interface Snapshot {
  database: { outbox: Backlog; sequencer: Backlog; heads: HeadCoverage } | null;
  queues: QueueFigures[] | null;
}

/** The stores and queues the pipeline's gauges read, built by the composition root. */
export class PipelineProbe {
  constructor(
    private readonly outbox: OutboxStore,
    private readonly receipts: ReceiptsStore,
    private readonly producer: JobProducer,
  ) {}

  async database(): Promise<NonNullable<Snapshot['database']>> {
    const [outbox, sequencer, heads] = await Promise.all([
      this.outbox.backlog(),
      this.receipts.sequencerLag(),
      this.receipts.headCoverage(),
    ]);
    return { outbox, sequencer, heads };
  }

  async queues(now = Date.now()): Promise<QueueFigures[]> {
    return (await Promise.all(QUEUES.map((name) => this.queueFigures(name, now)))).flat();
  }

  private async queueFigures(name: QueueName, now: number): Promise<QueueFigures[]> {
    const queue = this.producer.queue(name);
    const states = Object.keys(STATES) as QueueState[];
    const counts = await queue.getJobCounts(...states);
    return Promise.all(
      states.map(async (state) => {
        const count = counts[state] ?? 0;
        // BullMQ's list of waiting jobs is called `wait`; the oldest comes first in ascending order.
        const type: JobType = state === 'waiting' ? 'wait' : state;
        const [oldest] = count > 0 ? await queue.getJobs([type], 0, 0, true) : [];
        const since = oldest ? STATES[state](oldest) : undefined;
        return { queue: name, state, count, oldestAgeMs: since ? Math.max(0, now - since) : null };
      }),
    );
  }
}

const seconds = (ms: number | null): number => (ms === null ? 0 : ms / 1000);

/**
 * Gauges computed when Prometheus scrapes: one cheap query per figure and a few Redis calls per
 * queue, shared by every gauge of one scrape. A source that does not answer is reported down
 * (postkasse_metrics_source_up) and its gauges left out, rather than failing the whole scrape.
 */
export function pipelineGauges(metrics: Metrics, probe: PipelineProbe, cacheMs = 1_000): void {
  const registers = [metrics.registry];
  let cached: { at: number; snapshot: Promise<Snapshot> } | null = null;
  const snapshot = (): Promise<Snapshot> => {
    if (!cached || Date.now() - cached.at > cacheMs) {
      cached = {
        at: Date.now(),
        snapshot: Promise.all([
          probe.database().catch(() => null),
          probe.queues().catch(() => null),
        ]).then(([database, queues]) => ({ database, queues })),
      };
    }
    return cached.snapshot;
  };
  /** A gauge filled from the snapshot on every scrape; `fill` sets its values after a reset. */
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: Gauge<L>, s: Snapshot) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const s = await snapshot();
        this.reset();
        fill(this, s);
      },
    });

  gauge(
    'postkasse_metrics_source_up',
    'Whether a source answered this scrape',
    ['source'],
    (g, s) => {
      g.set({ source: 'database' }, s.database ? 1 : 0);
      g.set({ source: 'redis' }, s.queues ? 1 : 0);
    },
  );
  gauge('postkasse_queue_jobs', 'Jobs per queue and state', ['queue', 'state'], (g, s) =>
    s.queues?.forEach((q) => g.set({ queue: q.queue, state: q.state }, q.count)),
  );
  gauge(
    'postkasse_queue_oldest_job_age_seconds',
    'Age of the oldest job per queue and state (active: since it started; failed: since it failed)',
    ['queue', 'state'],
    (g, s) =>
      s.queues?.forEach((q) => g.set({ queue: q.queue, state: q.state }, seconds(q.oldestAgeMs))),
  );
  /** A database figure; left out when the database did not answer or `value` has none. */
  const database = (
    name: string,
    help: string,
    value: (d: NonNullable<Snapshot['database']>) => number | null,
  ) =>
    gauge(name, help, [], (g, s) => {
      const v = s.database && value(s.database);
      if (typeof v === 'number') g.set(v);
    });
  database(
    'postkasse_outbox_backlog_jobs',
    'Outbox rows not yet handed to the queue',
    (d) => d.outbox.count,
  );
  database(
    'postkasse_outbox_oldest_age_seconds',
    'Age of the oldest outbox row not yet handed over (0: none)',
    (d) => seconds(d.outbox.oldestAgeMs),
  );
  database(
    'postkasse_sequencer_staged_receipts',
    'Receipts staged but not yet appended to the receipt log',
    (d) => d.sequencer.count,
  );
  database(
    'postkasse_sequencer_oldest_staged_age_seconds',
    'Age of the oldest staged receipt not yet in the log (0: none)',
    (d) => seconds(d.sequencer.oldestAgeMs),
  );
  database('postkasse_receipt_log_size', 'Entries in the receipt log', (d) => d.heads.logSize);
  database(
    'postkasse_tree_head_size',
    'Entries covered by the latest signed tree head',
    (d) => d.heads.headSize ?? 0,
  );
  database(
    'postkasse_tree_head_age_seconds',
    'Age of the latest signed tree head (absent before the first head)',
    (d) => d.heads.headAgeMs && d.heads.headAgeMs / 1000,
  );
}
