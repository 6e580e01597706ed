import type { Logger } from 'pino';

/**
 * Runs `step` again and again until stopped: immediately while it reports more work, otherwise
 * after `idleMs` or as soon as `wake()` is called. Errors are logged and retried, never fatal.
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
        more = await this.step();
      } catch (error) {
        this.logger.warn({ err: error, loop: this.name }, 'background loop step failed; retrying');
      }
      if (!more && this.running) await this.sleep();
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
