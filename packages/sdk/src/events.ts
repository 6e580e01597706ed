import type { LetterEvent, PostkasseClient } from './client';

/** Where a follower keeps its place: a row in the agency's database, a file. */
export interface CursorStore {
  /** The last saved cursor, or null to read from the start of the log. */
  load(): Promise<string | null>;
  save(cursor: string): Promise<void>;
}

export interface FollowOptions {
  cursor: CursorStore;
  /** Called once per event in log order; the page's cursor is saved after its last event. */
  onEvent: (event: LetterEvent) => Promise<void> | void;
  /** Stops following, once the page being handled is finished and its cursor saved. */
  signal?: AbortSignal;
  /** How long to wait when the feed has nothing new (default 2 s). */
  idleMs?: number;
  limit?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Follows the event feed from the saved cursor until `signal` aborts. The cursor is saved only
 * once every event of its page was handled, so after a crash the follower starts again at the
 * first event it had not finished: each event is handled at least once, and exactly once when
 * `onEvent` records the event id in the same transaction as its effect (or drops ids it has).
 */
export async function followEvents(client: PostkasseClient, options: FollowOptions): Promise<void> {
  const sleep = options.sleep ?? pause;
  let cursor = await options.cursor.load();
  while (!options.signal?.aborted) {
    const page = await client.events(cursor ?? undefined, options.limit);
    // The whole page, even when aborted meanwhile: the cursor only moves a page at a time, so
    // stopping halfway would hand the page's first events over again after a restart.
    for (const event of page.items) await options.onEvent(event);
    if (page.nextCursor !== cursor) {
      await options.cursor.save(page.nextCursor);
      cursor = page.nextCursor;
    }
    if (page.items.length === 0) await sleep(options.idleMs ?? 2000, options.signal);
  }
}
