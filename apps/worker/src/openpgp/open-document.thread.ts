import { workerData, type MessagePort } from 'node:worker_threads';
import {
  OpenPgpError,
  openAndSeal,
  readPlatformKey,
  type AgencySigningKey,
  type OpenPgpLimits,
  type SealOptions,
  type SealedDocument,
} from '#crypto';

/** Given once per thread, so each task carries only what differs between documents. */
export interface OpenThreadData {
  platformKeyArmored: string;
  limits: OpenPgpLimits;
}

export interface OpenTask {
  bytes: Uint8Array;
  agencyKeys: AgencySigningKey[];
  at: Date;
  seal: SealOptions;
  /** Told once, when this thread starts on the document: the time limit counts from then. */
  started: MessagePort;
}

export type OpenTaskResult =
  ({ ok: true } & SealedDocument) | { ok: false; code: string; detail: string };

const { platformKeyArmored, limits } = workerData as OpenThreadData;
const platformKey = readPlatformKey(platformKeyArmored);

/** Runs in a worker thread, so a hostile document can be stopped by terminating the thread. */
export default async function openInThread(task: OpenTask): Promise<OpenTaskResult> {
  // Reading the platform key is the thread's start-up, paid once; it is not the document's time.
  const key = (await platformKey).key;
  task.started.postMessage(null);
  task.started.close();
  try {
    const sealed = await openAndSeal(task.bytes, {
      platformKey: key,
      agencyKeys: task.agencyKeys,
      at: task.at,
      limits,
      seal: task.seal,
    });
    return { ok: true, ...sealed };
  } catch (error) {
    if (error instanceof OpenPgpError) return { ok: false, code: error.code, detail: error.detail };
    throw error;
  }
}
