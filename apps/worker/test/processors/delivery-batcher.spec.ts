import type { BatchItem, DeliveryOutcome } from '#letters';
import { DeliveryBatcher } from '../../src/processors/delivery-batcher';

const delivered: DeliveryOutcome = { kind: 'done', state: 'delivered' };

/** A deliverAll that records each batch and answers each item as `answer` says. */
function recording(answer: (item: BatchItem) => PromiseSettledResult<DeliveryOutcome>) {
  const batches: BatchItem[][] = [];
  const deliverAll = (items: BatchItem[]) => {
    batches.push(items);
    return Promise.resolve(items.map(answer));
  };
  return { batches, deliverAll };
}

const fulfilled = (): PromiseSettledResult<DeliveryOutcome> => ({
  status: 'fulfilled',
  value: delivered,
});

describe('DeliveryBatcher', () => {
  it('sends a batch as soon as it is full', async () => {
    const { batches, deliverAll } = recording(fulfilled);
    const batcher = new DeliveryBatcher(deliverAll, 3, 60_000);
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((id) => batcher.execute(id, { attempt: 1 })),
    );
    expect(outcomes).toEqual([delivered, delivered, delivered]);
    expect(batches.map((b) => b.map((i) => i.letterId))).toEqual([['a', 'b', 'c']]);
  });

  it('sends what it has when the first letter has waited long enough', async () => {
    const { batches, deliverAll } = recording(fulfilled);
    const batcher = new DeliveryBatcher(deliverAll, 10, 5);
    const started = Date.now();
    await Promise.all([batcher.execute('a', { attempt: 1 }), batcher.execute('b', { attempt: 3 })]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4);
    expect(batches).toEqual([
      [
        { letterId: 'a', attempt: 1 },
        { letterId: 'b', attempt: 3 },
      ],
    ]);
    await batcher.execute('c', { attempt: 1 });
    expect(batches).toHaveLength(2);
  });

  it('fails only the job whose letter failed, and all of them when the batch fails', async () => {
    const error = new Error('openpgp.timeout');
    const { deliverAll } = recording((item) =>
      item.letterId === 'bad' ? { status: 'rejected', reason: error } : fulfilled(),
    );
    const batcher = new DeliveryBatcher(deliverAll, 2, 60_000);
    const [good, bad] = await Promise.allSettled([
      batcher.execute('good', { attempt: 1 }),
      batcher.execute('bad', { attempt: 1 }),
    ]);
    expect(good).toEqual({ status: 'fulfilled', value: delivered });
    expect(bad).toEqual({ status: 'rejected', reason: error });

    const broken = new DeliveryBatcher(() => Promise.reject(error), 2, 60_000);
    const both = await Promise.allSettled([
      broken.execute('x', { attempt: 1 }),
      broken.execute('y', { attempt: 1 }),
    ]);
    expect(both).toEqual([
      { status: 'rejected', reason: error },
      { status: 'rejected', reason: error },
    ]);
  });

  it('delivers a letter named by two jobs at once once, answering both', async () => {
    const { batches, deliverAll } = recording(fulfilled);
    const batcher = new DeliveryBatcher(deliverAll, 2, 5);
    const outcomes = await Promise.all([
      batcher.execute('a', { attempt: 1 }),
      batcher.execute('a', { attempt: 2 }),
    ]);
    expect(outcomes).toEqual([delivered, delivered]);
    expect(batches).toEqual([[{ letterId: 'a', attempt: 2 }]]);
  });
});
