import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import * as openpgp from 'openpgp';
import {
  FaultStack,
  newNationalId,
  peakRssMb,
  report,
  resetPeakRss,
  rssMb,
  sleep,
} from './support/fault-stack';

/**
 * Hardening item 2: request bodies before authentication. Unauthenticated large bodies are
 * refused without being held; several letters near the 60 MB request limit arriving together
 * keep the API under 256 MB (their base64 decoded and hashed as it streams in, their number
 * capped, the rest waiting or told to retry).
 */
jest.setTimeout(300_000);

const RSS_LIMIT_MB = 256;
const REQUEST_LIMIT = 60 * 1024 * 1024;
const stack = new FaultStack();
let apiPid: number;

beforeAll(async () => {
  // No worker: the letters stay accepted, and only the API's memory is measured.
  await stack.boot({ workers: 0, smtp: false });
  apiPid = stack.apiProcess().child.pid!;
});
afterAll(() => stack.shutdown());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw POST: fetch would not send a declared length with a body it has to stream. */
function post(path: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, stack.baseUrl);
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    // The server may answer and close before it has read everything it was sent.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET'
        ? resolve({ status: 0, headers: {}, body: error.code })
        : reject(error),
    );
    req.end(body);
  });
}

/** Samples the API's resident set while `run` goes on; the kernel's high-water mark as well. */
async function measured<T>(run: () => Promise<T>) {
  await sleep(300);
  const baseline = rssMb(apiPid);
  resetPeakRss(apiPid);
  let sampled = 0;
  const sampler = setInterval(() => (sampled = Math.max(sampled, rssMb(apiPid))), 25);
  try {
    const result = await run();
    return { result, baseline, sampled, highWater: peakRssMb(apiPid) };
  } finally {
    clearInterval(sampler);
  }
}

it('takes four letters near the 60 MB limit at once and stays under 256 MB', async () => {
  const nationalId = newNationalId();
  const encryptionKeys = await openpgp.readKey({ armoredKey: stack.platformKey });
  // Three documents whose base64 fills the request limit but for a little room for the rest.
  const plaintext = Math.floor(((REQUEST_LIMIT - 4096) / 3 / 4) * 3) - 512;
  const message = (await openpgp.encrypt({
    message: await openpgp.createMessage({ binary: randomBytes(plaintext) }),
    encryptionKeys,
    format: 'binary',
  })) as Uint8Array;
  const content = Buffer.from(message).toString('base64');
  const body = Buffer.from(
    JSON.stringify({
      recipient: { nationalId },
      title: 'Near the limit',
      documents: [1, 2, 3].map((n) => ({
        filename: `part-${n}.bin`,
        mediaType: 'application/pdf',
        content,
      })),
    }),
  );
  expect(body.length).toBeLessThan(REQUEST_LIMIT);
  expect(body.length).toBeGreaterThan(REQUEST_LIMIT - 64 * 1024);

  const run = await measured(() =>
    Promise.all(
      Array.from({ length: 4 }, () =>
        post('/v1/letters', body, {
          authorization: `Bearer ${stack.agency.apiKey}`,
          'idempotency-key': randomUUID(),
        }),
      ),
    ),
  );
  const statuses = run.result.map((a) => a.status);
  report('request bodies: four letters near 60 MB', {
    bodyMb: (body.length / 1024 / 1024).toFixed(1),
    statuses: statuses.join(','),
    apiBaselineRssMb: run.baseline.toFixed(0),
    apiSampledPeakRssMb: run.sampled.toFixed(0),
    apiHighWaterRssMb: run.highWater.toFixed(0),
  });
  // Beyond the cap a letter may be told to come back; it is never refused for its size.
  for (const answer of run.result) {
    expect([202, 503]).toContain(answer.status);
    if (answer.status === 503) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  }
  expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(2);
  const stored = await stack.query<{ n: string; bytes: string }>(
    `SELECT count(DISTINCT d.letter_id) AS n, min(length(d.received)) AS bytes
       FROM documents d JOIN letters l ON l.id = d.letter_id WHERE l.title = 'Near the limit'`,
  );
  expect(Number(stored[0].n)).toBe(statuses.filter((s) => s === 202).length);
  expect(Number(stored[0].bytes)).toBe(message.length);
  expect(run.highWater).toBeLessThan(RSS_LIMIT_MB);
});

it('refuses unauthenticated bodies on every route without reading them into memory', async () => {
  const small = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
  const live = await post('/health/live', small, {});
  const letters = await post('/v1/letters', small, { 'idempotency-key': randomUUID() });
  expect([live.status, live.headers['content-type']]).toEqual([
    413,
    expect.stringContaining('problem+json'),
  ]);
  expect([letters.status, letters.headers['content-type']]).toEqual([
    401,
    expect.stringContaining('problem+json'),
  ]);
  const wrongKey = await post('/v1/letters', small, {
    authorization: 'Bearer pk_not-a-key',
    'idempotency-key': randomUUID(),
  });
  expect(wrongKey.status).toBe(401);

  // A few unauthenticated bodies near the letter limit, all at once.
  const big = Buffer.alloc(55 * 1024 * 1024, 0x20);
  big.write('{"pad":"', 0);
  big.write('"}', big.length - 2);
  const flood = await measured(() =>
    Promise.all([
      ...Array.from({ length: 3 }, () => post('/health/live', big, {})),
      ...Array.from({ length: 3 }, () =>
        post('/v1/letters', big, { 'idempotency-key': randomUUID() }),
      ),
    ]),
  );
  report('request bodies: unauthenticated', {
    bodies: flood.result.length,
    statuses: flood.result.map((a) => a.status).join(','),
    apiBaselineRssMb: flood.baseline.toFixed(0),
    apiHighWaterRssMb: flood.highWater.toFixed(0),
  });
  for (const answer of flood.result) expect([0, 401, 413]).toContain(answer.status);
  // Read off and dropped, never held: what is left is the socket reads' garbage (before, each
  // of these bodies was held two or three times over).
  expect(flood.highWater - flood.baseline).toBeLessThan(64);
});
