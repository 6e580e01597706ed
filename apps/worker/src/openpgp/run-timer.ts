import { OpenPgpError } from '#crypto';

/**
 * The time limit of one document, counted from the moment a thread starts on it. Waiting for a
 * free thread is not counted: a burst of large documents from one agency would otherwise use up
 * the limit of every document queued behind it, and honest letters would be rejected as having
 * "taken longer" than a limit they spent waiting.
 */
export class RunTimer {
  private startedAt: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private ranForMs: number | null = null;
  private stopped = false;

  constructor(
    private readonly limitMs: number,
    /** Called once when the run passes the limit; it stops the run (ends the thread). */
    private readonly onOverrun: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The thread has started on the document. Only the first call counts, and none after `stop`. */
  start(): void {
    if (this.stopped || this.startedAt !== null || !Number.isFinite(this.limitMs)) return;
    const startedAt = this.now();
    this.startedAt = startedAt;
    this.timer = setTimeout(() => {
      this.ranForMs = this.now() - startedAt;
      this.onOverrun();
    }, this.limitMs);
  }

  /** The run has ended (result, error or abort): no limit applies any more. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The rejection reason when the run itself went past the limit, else null. */
  overrun(): OpenPgpError | null {
    if (this.ranForMs === null) return null;
    return new OpenPgpError(
      'openpgp.timeout',
      `decrypting and verifying was stopped after running for ${Math.round(this.ranForMs)} ms, ` +
        `past the limit of ${this.limitMs} ms`,
    );
  }
}
