import pino from 'pino';
import { BackgroundLoop } from '../../src/loops/background-loop';

describe('a background loop', () => {
  it('goes on past a step that never settles, and says which loop it was', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    let calls = 0;
    const loop = new BackgroundLoop(
      'reconciler',
      () => {
        calls += 1;
        // The first call hangs for good; the ones after it answer at once.
        return calls === 1 ? new Promise<boolean>(() => undefined) : Promise.resolve(false);
      },
      10,
      logger,
      50,
    );
    loop.start();
    await new Promise((r) => setTimeout(r, 200));
    await loop.stop();
    expect(calls).toBeGreaterThan(2);
    const overdue = lines.map((l) => JSON.parse(l) as { loop: string; err: { message: string } });
    expect(overdue[0].loop).toBe('reconciler');
    expect(overdue[0].err.message).toBe('step still running after 50 ms; going on');
  });
});
