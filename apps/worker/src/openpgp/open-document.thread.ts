import {
  OpenPgpError,
  openDocument,
  readPlatformKey,
  type AgencySigningKey,
  type OpenPgpLimits,
} from '#crypto';

export interface OpenTask {
  bytes: Uint8Array;
  platformKeyArmored: string;
  agencyKeys: AgencySigningKey[];
  at: Date;
  limits: OpenPgpLimits;
}

export type OpenTaskResult =
  | { ok: true; plaintext: Uint8Array; signerFingerprint: string; detachedSignature: Uint8Array }
  | { ok: false; code: string; detail: string };

let platformKey: {
  armored: string;
  key: Promise<Awaited<ReturnType<typeof readPlatformKey>>>;
} | null = null;

/** Runs in a worker thread, so a hostile document can be stopped by terminating the thread. */
export default async function openInThread(task: OpenTask): Promise<OpenTaskResult> {
  if (platformKey?.armored !== task.platformKeyArmored) {
    platformKey = {
      armored: task.platformKeyArmored,
      key: readPlatformKey(task.platformKeyArmored),
    };
  }
  try {
    const opened = await openDocument(task.bytes, {
      platformKey: (await platformKey.key).key,
      agencyKeys: task.agencyKeys,
      at: task.at,
      limits: task.limits,
    });
    return { ok: true, ...opened };
  } catch (error) {
    if (error instanceof OpenPgpError) return { ok: false, code: error.code, detail: error.detail };
    throw error;
  }
}
