import { join } from 'node:path';
import { availableParallelism } from 'node:os';
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

/** Structured cloning between threads turns Buffers into plain Uint8Arrays; this is no copy. */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Decrypts and verifies on all cores in worker threads. A document that takes longer than the
 * time limit has its thread terminated (Piscina aborts a running task by ending its thread).
 */
export class DocumentOpenerPool implements DocumentOpener {
  private readonly pool: Piscina<OpenTask, OpenTaskResult>;

  constructor(
    platformKeyArmored: string,
    limits: OpenPgpLimits,
    private readonly timeoutMs: number,
    threads: number,
  ) {
    const size = threads > 0 ? threads : availableParallelism();
    this.pool = new Piscina({
      filename: join(__dirname, 'open-document.thread.js'),
      workerData: { platformKeyArmored, limits } satisfies OpenThreadData,
      minThreads: size,
      maxThreads: size,
      // Each thread may hold a decompressed document; bound the heap it may grow to.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  async openAndSeal(
    bytes: Uint8Array,
    agencyKeys: AgencySigningKey[],
    at: Date,
    seal: SealOptions,
  ): Promise<SealedDocument> {
    let result: OpenTaskResult;
    try {
      result = await this.pool.run(
        { bytes, agencyKeys, at, seal },
        { signal: AbortSignal.timeout(this.timeoutMs) },
      );
    } catch (error) {
      if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
        throw new OpenPgpError(
          'openpgp.timeout',
          `decryption took longer than ${this.timeoutMs} ms`,
        );
      }
      throw error;
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
}
