import { DeliverIntake, deliverConcurrency } from '../../src/processors/deliver-intake';

const state = { configured: 8, threads: 2, backlogPerThread: 4 };

describe('deliverConcurrency', () => {
  it('takes in all it is configured for while the threads have nothing waiting', () => {
    expect(deliverConcurrency({ ...state, inHand: 0, waiting: 0 })).toBe(8);
    expect(deliverConcurrency({ ...state, inHand: 3, waiting: 0 })).toBe(8);
  });

  it('takes in one more letter per document that could still start soon', () => {
    expect(deliverConcurrency({ ...state, inHand: 3, waiting: 6 })).toBe(5);
  });

  it('takes in nothing more while too many documents wait for a thread', () => {
    expect(deliverConcurrency({ ...state, inHand: 3, waiting: 8 })).toBe(3);
    expect(deliverConcurrency({ ...state, inHand: 3, waiting: 30 })).toBe(3);
    expect(deliverConcurrency({ ...state, inHand: 0, waiting: 40 })).toBe(1);
  });
});

describe('DeliverIntake', () => {
  it('lowers the deliver worker’s concurrency while a burst waits, and restores it after', async () => {
    const pool = { threads: 2, waiting: 0 };
    const intake = new DeliverIntake(pool, 8, 4);
    const worker = { concurrency: 8 };
    intake.steer(worker);
    let finish: (state: string) => void = () => undefined;
    const processor = intake.wrap(() => new Promise<string>((resolve) => (finish = resolve)));

    const running = processor({ data: { letterId: 'a' } } as never);
    pool.waiting = 10; // one letter with ten large documents
    intake.update();
    expect(worker.concurrency).toBe(1);

    pool.waiting = 0;
    finish('delivered');
    await running;
    expect(worker.concurrency).toBe(8);
  });
});
