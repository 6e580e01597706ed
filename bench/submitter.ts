/**
 * Agencies' load: letters submitted closed loop (saturation) or open loop at an offered rate.
 */
import { randomUUID } from 'node:crypto';
import { startSpan, type RequestSpan } from './request-span';
import { StatusCheck } from './status-check';

/** What a submission needs of a prepared letter. */
export interface SubmittableLetter {
  apiKey: string;
  documents: { filename: string; mediaType: string; content: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Submitter {
  sent = 0;
  /** Every answer's status: a run with a non-2xx submission fails, naming the first. */
  readonly status = new StatusCheck('letter submission');
  constructor(
    private readonly api: string,
    private readonly letters: SubmittableLetter[],
    private readonly recipients: string[],
    /** The API's process, to tell how long its main thread waited for a CPU per request. */
    private readonly apiPid?: number,
  ) {}

  get errors(): number {
    return this.status.failures;
  }

  async submitOne(): Promise<RequestSpan> {
    const i = this.sent++;
    const letter = this.letters[i % this.letters.length];
    const body = JSON.stringify({
      recipient: { nationalId: this.recipients[i % this.recipients.length] },
      title: `Benchmark letter ${i}`,
      documents: letter.documents,
    });
    const done = startSpan(this.apiPid);
    const url = `${this.api}/v1/letters`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${letter.apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body,
    });
    await this.status.read(response, url, 'POST');
    return done();
  }

  /** Closed loop: `concurrency` clients, each sending as soon as the last answer came. */
  async saturate(count: number, concurrency: number) {
    const latencies: number[] = [];
    let left = count;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) {
          const span = await this.submitOne();
          latencies.push(span.end - span.start);
        }
      }),
    );
    return { latencies, seconds: (performance.now() - started) / 1000 };
  }

  /** Open loop: a request every 1/rate seconds whether or not earlier ones have answered. */
  async offered(rate: number, seconds: number) {
    const spans: RequestSpan[] = [];
    const inFlight = new Set<Promise<void>>();
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < seconds * 1000) {
      const due = started + (n * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      n += 1;
      if (inFlight.size >= 512) continue;
      const p: Promise<void> = this.submitOne().then((span) => {
        spans.push(span);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    return {
      latencies: spans.map((s) => s.end - s.start),
      spans,
      sent: n,
      seconds: (performance.now() - started) / 1000,
    };
  }
}
