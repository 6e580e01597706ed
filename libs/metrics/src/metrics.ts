import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * One registry per process, with Node's own metrics (heap, event loop lag, GC) and every metric
 * both processes may report. Labels are closed sets (states, queues, outcomes, route templates):
 * never an id or anything personal.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly lettersEntered = new Counter({
    name: 'postkasse_letters_entered_total',
    help: 'Letters that entered a state, counted by the process that moved them',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  /** What a finished job said, per queue: a letter's state, a notification's or webhook's result. */
  readonly jobOutcomes = new Counter({
    name: 'postkasse_job_outcomes_total',
    help: 'Jobs finished by the worker, by queue and outcome (attempt_failed: an attempt threw and may be retried)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(app: 'api' | 'worker') {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry, prefix: 'postkasse_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The API's request timings, by route template (`/v1/letters/:id`), method and status. */
export class ApiMetrics extends Metrics {
  readonly requestDuration = new Histogram({
    name: 'postkasse_http_request_duration_seconds',
    help: 'API requests from the first byte in to the last byte out',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    super('api');
  }
}

/** The worker's OpenPGP pool; the queue and database gauges are added by `pipelineGauges`. */
export class WorkerMetrics extends Metrics {
  readonly openpgpWaiting = new Gauge({
    name: 'postkasse_openpgp_waiting_documents',
    help: 'Documents handed to the OpenPGP pool that no thread has started on yet',
    registers: [this.registry],
  });

  readonly openpgpThreads = new Gauge({
    name: 'postkasse_openpgp_threads',
    help: 'Threads of the OpenPGP pool',
    registers: [this.registry],
  });

  readonly openpgpRunSeconds = new Histogram({
    name: 'postkasse_openpgp_run_seconds',
    help: 'Time a thread spent decrypting and verifying one document (waiting not counted)',
    labelNames: ['result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly deliveryBatchLetters = new Histogram({
    name: 'postkasse_delivery_batch_letters',
    help: 'Letters delivered together in one batch (read in one statement, written in one)',
    labelNames: ['queue'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  readonly deliverySplits = new Counter({
    name: 'postkasse_delivery_split_total',
    help: 'Letters taken out of their batch and delivered alone, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    super('worker');
  }
}
