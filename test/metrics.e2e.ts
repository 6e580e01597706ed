import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from './support/agency';
import { ApiClient } from './support/http';
import { freePort, ROOT, Stack, startProcess } from './support/stack';

jest.setTimeout(60_000);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format's samples (comments and type lines left out). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length === 0) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return found.reduce((sum, s) => sum + s.value, 0);
}

async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return { text, samples: parse(text) };
}

const stack = new Stack();
let api: ApiClient;
let agency: TestAgency;
let workerMetrics: string;
const nationalId = makeSyntheticNorwegianId(new Date('1979-06-01'), 321, 'tenor');

beforeAll(async () => {
  const port = await freePort();
  workerMetrics = `http://127.0.0.1:${port}/metrics`;
  await stack.start({ WORKER_METRICS_PORT: String(port), TREE_HEAD_INTERVAL_MS: '200' });
  api = new ApiClient(stack.baseUrl);
  agency = await createAgency(stack, 'Metrics etat');
});

afterAll(() => stack.stop());

describe('the /metrics of the API and the worker after a letter', () => {
  let letterId: string;

  beforeAll(async () => {
    const sender = api.as(agency.apiKey);
    const body = {
      recipient: { nationalId },
      title: 'Måling',
      documents: [
        {
          filename: 'brev.txt',
          mediaType: 'text/plain',
          content: await sealFor(agency, await platformPublicKey(stack), 'Hei'),
        },
      ],
    };
    const submitted = await sender.post('/v1/letters', body, { 'idempotency-key': randomUUID() });
    expect(submitted.status).toBe(202);
    letterId = submitted.body.id;
    await sender.waitForState(letterId, 'delivered');
    expect((await sender.get(`/v1/letters/${randomUUID()}`)).status).toBe(404);
  });

  it('the API times requests by route template and counts the letter accepted', async () => {
    const { text, samples } = await scrape(`${stack.baseUrl}/metrics`);
    const byRoute = (route: string, status: string) =>
      value(samples, 'postkasse_http_request_duration_seconds_count', { route, status });
    expect(byRoute('/v1/letters', '202')).toBe(1);
    // The polling reads and the unknown letter, all under one template.
    expect(byRoute('/v1/letters/:id', '200')).toBeGreaterThanOrEqual(1);
    expect(byRoute('/v1/letters/:id', '404')).toBe(1);
    expect(value(samples, 'postkasse_letters_entered_total', { state: 'accepted' })).toBe(1);
    expect(
      value(samples, 'postkasse_process_resident_memory_bytes', { app: 'api' }),
    ).toBeGreaterThan(0);
    expect(text).not.toContain(letterId);
    expect(text).not.toContain(nationalId);
    // Only route templates: no label value holds an id.
    const routes = samples.map((s) => s.labels.route).filter(Boolean);
    expect(routes.every((r) => r === 'unmatched' || !/[0-9a-f]{8}-/.test(r))).toBe(true);
  });

  it('the worker reports the delivery, the OpenPGP pool, the queues and the log', async () => {
    // The tree head is signed within the interval; the sequencer has caught up by then.
    const { text, samples } = await api.waitFor(async () => {
      const scraped = await scrape(workerMetrics);
      const heads = scraped.samples.find((s) => s.name === 'postkasse_tree_head_size');
      return heads && heads.value >= 2 ? scraped : undefined;
    }, 'a signed tree head over the letter receipts');
    expect(value(samples, 'postkasse_letters_entered_total', { state: 'delivered' })).toBe(1);
    expect(
      value(samples, 'postkasse_job_outcomes_total', { queue: 'deliver', outcome: 'delivered' }),
    ).toBe(1);
    expect(value(samples, 'postkasse_openpgp_run_seconds_count', { result: 'ok' })).toBe(1);
    expect(value(samples, 'postkasse_openpgp_run_seconds_sum')).toBeGreaterThan(0);
    expect(value(samples, 'postkasse_openpgp_threads')).toBe(2);
    expect(value(samples, 'postkasse_openpgp_waiting_documents')).toBe(0);
    expect(value(samples, 'postkasse_metrics_source_up', { source: 'database' })).toBe(1);
    expect(value(samples, 'postkasse_metrics_source_up', { source: 'redis' })).toBe(1);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(value(samples, 'postkasse_queue_jobs', { queue: 'deliver', state })).toBe(0);
      expect(
        value(samples, 'postkasse_queue_oldest_job_age_seconds', { queue: 'webhook', state }),
      ).toBe(0);
    }
    expect(value(samples, 'postkasse_outbox_backlog_jobs')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'postkasse_outbox_oldest_age_seconds')).toBeLessThan(60);
    expect(value(samples, 'postkasse_receipt_log_size')).toBeGreaterThanOrEqual(2);
    expect(value(samples, 'postkasse_sequencer_staged_receipts')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'postkasse_sequencer_oldest_staged_age_seconds')).toBeLessThan(60);
    const headAge = value(samples, 'postkasse_tree_head_age_seconds');
    expect(headAge).toBeGreaterThanOrEqual(0);
    expect(headAge).toBeLessThan(60);
    expect(text).not.toContain(letterId);
    expect(text).not.toContain(nationalId);
  });

  it('reports every metric the alerts, the dashboard and the documentation name', async () => {
    const [fromApi, fromWorker] = await Promise.all([
      scrape(`${stack.baseUrl}/metrics`),
      scrape(workerMetrics),
    ]);
    const served = new Set(
      [...fromApi.samples, ...fromWorker.samples].map((s) =>
        s.name.replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    const named = (file: string) => [
      ...new Set(
        [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\bpostkasse_[a-z0-9_]*[a-z0-9]\b/g)]
          .map((m) => m[0].replace(/_(bucket|count|sum)$/, ''))
          // The documentation's `postkasse_process_*` families.
          .filter((name) => !['postkasse_process', 'postkasse_nodejs'].includes(name)),
      ),
    ];
    for (const file of [
      'ops/prometheus/alerts.yml',
      'ops/grafana/postkasse.json',
      'docs/operations.md',
    ]) {
      const names = named(file);
      expect(names.length).toBeGreaterThan(5);
      expect({ file, missing: names.filter((n) => !served.has(n)) }).toEqual({ file, missing: [] });
    }
    // And the other way round: every Postkasse metric is documented.
    const documented = new Set(named('docs/operations.md'));
    const own = [...served].filter((n) => !/^postkasse_(process|nodejs)_/.test(n));
    expect(own.filter((n) => !documented.has(n))).toEqual([]);
  });

  it('the worker answers nothing but /metrics', async () => {
    const response = await fetch(workerMetrics.replace('/metrics', '/other'));
    expect(response.status).toBe(404);
  });
});

describe('letters entering every state', () => {
  it('counts the batch accepted and delivered, the read and the acknowledgement, and the withdrawal', async () => {
    const sender = api.as(agency.apiKey);
    const platformKey = await platformPublicKey(stack);
    const letter = async (extra: Record<string, unknown>) => ({
      recipient: { nationalId },
      title: 'Tilstander',
      documents: [
        {
          filename: 'brev.txt',
          mediaType: 'text/plain',
          content: await sealFor(agency, platformKey, 'Hei igjen'),
        },
      ],
      ...extra,
    });
    const counted = async (url: string, state: string) =>
      value((await scrape(url)).samples, 'postkasse_letters_entered_total', { state });
    const before = {
      accepted: await counted(`${stack.baseUrl}/metrics`, 'accepted'),
      delivered: await counted(workerMetrics, 'delivered'),
    };

    const batch = await sender.post(
      '/v1/letter-batches',
      {
        letters: [
          { idempotencyKey: randomUUID(), ...(await letter({ requiresAcknowledgement: true })) },
        ],
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(batch.status).toBe(200);
    const batched = batch.body.items[0].id as string;
    const later = await sender.post(
      '/v1/letters',
      await letter({ publishAt: new Date(Date.now() + 3_600_000).toISOString() }),
      { 'idempotency-key': randomUUID() },
    );
    expect(later.status).toBe(202);
    expect((await sender.request('DELETE', `/v1/letters/${later.body.id}`)).status).toBe(200);

    await sender.waitForState(batched, 'delivered');
    const citizen = api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
    const shown = await citizen.get(`/v1/mailbox/letters/${batched}`);
    const documentId = shown.body.documents[0].id as string;
    expect(
      (await citizen.get(`/v1/mailbox/letters/${batched}/documents/${documentId}`)).status,
    ).toBe(200);
    // A second read and a second acknowledgement change nothing and count nothing.
    await citizen.get(`/v1/mailbox/letters/${batched}/documents/${documentId}`);
    expect((await citizen.post(`/v1/mailbox/letters/${batched}/acknowledge`, {})).status).toBe(200);
    await citizen.post(`/v1/mailbox/letters/${batched}/acknowledge`, {});

    const fromApi = (await scrape(`${stack.baseUrl}/metrics`)).samples;
    const entered = (state: string) => value(fromApi, 'postkasse_letters_entered_total', { state });
    expect(entered('accepted')).toBe(before.accepted + 2);
    expect(entered('read')).toBe(1);
    expect(entered('acknowledged')).toBe(1);
    expect(entered('withdrawn')).toBe(1);
    // The batch's letter came through the bulk queue, by the same delivery.
    await api.waitFor(
      async () =>
        (await counted(workerMetrics, 'delivered')) === before.delivered + 1 ? true : undefined,
      'the bulk delivery counted',
    );
  });
});

describe('a second worker on the same host', () => {
  it('keeps working when the metrics port is taken, and says so in its log', async () => {
    // The stack's worker already holds the port; this one must run on without metrics.
    const second = startProcess('worker', stack.env);
    try {
      const said = () => /metrics port unavailable/.test(second.output());
      for (let waited = 0; !said() && waited < 20_000; waited += 100)
        await new Promise((r) => setTimeout(r, 100));
      expect(said()).toBe(true);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(second.child.exitCode).toBeNull();
    } finally {
      await second.stop();
    }
  });
});
