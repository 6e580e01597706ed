import { OpenPgpError } from './errors';

/**
 * Stops waiting after `ms`. The work itself cannot be cancelled (openpgp has no abort signal),
 * so callers that need a hard CPU limit should also run it in a worker thread they can kill;
 * this still frees the caller to reject the document and move on.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (!Number.isFinite(ms)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OpenPgpError('openpgp.timeout', `${what} took longer than ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
