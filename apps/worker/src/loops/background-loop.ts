import type { Logger } from 'pino';

/**
 * Runs `step` again and again until stopped: immediately while it reports more work, otherwise
 * after `idleMs` or as soon as `wake()` is called. Errors are logged and retried, never fatal.
 * A step that has not settled after `overdueMs` is logged and left behind, and the loop goes on:
 * one call that never answers (seen once in a while after a Redis Cluster failover) must not
 * stop the relay or the reconciler for good, nor keep a draining worker from exiting.
 */
export class BackgroundLoop {
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<boolean>,
    private readonly idleMs: number,
    private readonly logger: Logger,
    private readonly overdueMs = Math.max(60_000, 10 * idleMs),
  ) {}

  start(): void {
    this.running = true;
    this.done = this.run();
  }

  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.done;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.bounded(this.step());
      } catch (error) {
        this.logger.warn({ err: error, loop: this.name }, 'background loop step failed; retrying');
      }
      if (!more && this.running) await this.sleep();
    }
  }

  private async bounded(work: Promise<boolean>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`step still running after ${this.overdueMs} ms; going on`)),
        this.overdueMs,
      );
    });
    // The step left behind may still settle; nothing waits for it any more.
    work.catch(() => undefined);
    try {
      return await Promise.race([work, overdue]);
    } finally {
      clearTimeout(timer);
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(finish, this.idleMs);
      this.wakeUp = finish;
    });
  }
}
