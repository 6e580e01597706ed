import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import {
  OpenPgpError,
  type AgencySigningKey,
  type OpenPgpLimits,
  type SealOptions,
  type SealedDocument,
} from '#crypto';
import type { DocumentOpener } from '#letters';
import type { OpenTask, OpenTaskResult, OpenThreadData } from './open-document.thread';
import { RunTimer } from './run-timer';

/** Structured cloning between threads turns Buffers into plain Uint8Arrays; this is no copy. */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** One document's run on a thread, from the thread's start signal to its answer. */
export interface OpenRun {
  seconds: number;
  /** ok; rejected (the document failed its checks); timeout; error (the thread failed). */
  result: 'ok' | 'rejected' | 'timeout' | 'error';
}

/**
 * Decrypts and verifies on all cores in worker threads. A document whose run takes longer than
 * the time limit has its thread terminated (Piscina aborts a running task by ending its thread);
 * the limit counts from the moment a thread starts on the document, never the wait for one.
 */
export class DocumentOpenerPool implements DocumentOpener {
  private readonly pool: Piscina<OpenTask, OpenTaskResult>;
  private readonly size: number;
  private notStarted = 0;
  private readonly listeners = new Set<() => void>();
  private readonly runListeners = new Set<(run: OpenRun) => void>();

  constructor(
    platformKeyArmored: string,
    limits: OpenPgpLimits,
    private readonly timeoutMs: number,
    threads: number,
  ) {
    const size = threads > 0 ? threads : availableParallelism();
    this.size = size;
    this.pool = new Piscina({
      filename: join(__dirname, 'open-document.thread.js'),
      // The hard limit is kept here, from the thread's start signal; a soft timer inside the
      // thread as well would race it with a second, differently worded reason.
      workerData: {
        platformKeyArmored,
        limits: { ...limits, timeoutMs: Infinity },
      } satisfies OpenThreadData,
      minThreads: size,
      maxThreads: size,
      // Each thread may hold a decompressed document; bound the heap it may grow to.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
  }

  get threads(): number {
    return this.size;
  }

  /** Documents handed to the pool that no thread has started on yet. */
  get waiting(): number {
    return this.notStarted;
  }

  /** Called whenever `waiting` changes, so the intake can follow it. */
  onWaitingChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Called after every run a thread started (for the metrics); waiting is not included. */
  onRun(listener: (run: OpenRun) => void): void {
    this.runListeners.add(listener);
  }

  async openAndSeal(
    bytes: Uint8Array,
    agencyKeys: AgencySigningKey[],
    at: Date,
    seal: SealOptions,
  ): Promise<SealedDocument> {
    const abort = new AbortController();
    const run = new RunTimer(this.timeoutMs, () => abort.abort());
    // The thread says when it starts on the document: only from then on does the limit run.
    const { port1, port2 } = new MessageChannel();
    let queued = true;
    const leaveQueue = () => {
      if (queued) this.setWaiting(-1);
      queued = false;
    };
    let startedAt: number | null = null;
    port1.once('message', () => {
      startedAt = performance.now();
      leaveQueue();
      run.start();
    });
    this.setWaiting(+1);
    let result: OpenTaskResult;
    let outcome: OpenRun['result'] = 'error';
    try {
      result = await this.pool.run(
        { bytes, agencyKeys, at, seal, started: port2 },
        { signal: abort.signal, transferList: [port2] },
      );
      outcome = result.ok ? 'ok' : 'rejected';
    } catch (error) {
      const overrun = run.overrun();
      if (overrun) outcome = 'timeout';
      throw overrun ?? error;
    } finally {
      run.stop();
      port1.close();
      leaveQueue();
      if (startedAt !== null) this.ranFor(performance.now() - startedAt, outcome);
    }
    if (!result.ok) throw new OpenPgpError(result.code, result.detail);
    return {
      sealed: asBuffer(result.sealed),
      plaintextSha256: asBuffer(result.plaintextSha256),
      size: result.size,
      detachedSignature: result.detachedSignature,
      signerFingerprint: result.signerFingerprint,
    };
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }

  private ranFor(ms: number, result: OpenRun['result']): void {
    for (const listener of this.runListeners) listener({ seconds: ms / 1000, result });
  }

  private setWaiting(delta: number): void {
    this.notStarted += delta;
    for (const listener of this.listeners) listener();
  }
}
