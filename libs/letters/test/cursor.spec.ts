import { DomainError } from '#errors';
import { decodeCursor, encodeCursor } from '../src/cursor';

const raw = (text: string) => Buffer.from(text).toString('base64url');

function refusal(run: () => unknown): DomainError | undefined {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  return undefined;
}

describe('keyset cursors', () => {
  it('gives back the values of a cursor this API handed out', () => {
    const at = new Date('2026-03-01T10:00:00.123Z').toISOString();
    const id = '01950000-0000-7000-8000-000000000001';
    expect(decodeCursor(encodeCursor([at, id]), ['timestamp', 'uuid'])).toEqual([at, id]);
    expect(decodeCursor(encodeCursor([41]), ['logIndex'])).toEqual([41]);
    expect(decodeCursor(encodeCursor([-1]), ['logIndex'])).toEqual([-1]);
    expect(decodeCursor(undefined, ['logIndex'])).toBeNull();
  });

  it.each([
    ['not base64url JSON', '!!!', ['logIndex']],
    ['a JSON object', raw('{"a":1}'), ['logIndex']],
    ['the wrong number of values', encodeCursor([1, 2]), ['logIndex']],
    ['text where a log index belongs', encodeCursor(['abc']), ['logIndex']],
    ['a fraction as a log index', encodeCursor([1.5]), ['logIndex']],
    ['a log index past a bigint', raw('[1e30]'), ['logIndex']],
    ['a negative log index', encodeCursor([-5]), ['logIndex']],
    ['a number where a timestamp belongs', encodeCursor([1, 'x']), ['timestamp', 'uuid']],
    [
      'an impossible date',
      encodeCursor(['2026-02-31T00:00:00.000Z', '01950000-0000-7000-8000-000000000001']),
      ['timestamp', 'uuid'],
    ],
    [
      'a timestamp SQL would read otherwise',
      encodeCursor(['now', '01950000-0000-7000-8000-000000000001']),
      ['timestamp', 'uuid'],
    ],
    [
      'text where a uuid belongs',
      encodeCursor(['2026-03-01T10:00:00.000Z', "x' OR 1=1"]),
      ['timestamp', 'uuid'],
    ],
  ] as const)('refuses %s with a 400 naming the parameter', (_, cursor, parts) => {
    const error = refusal(() => decodeCursor(cursor, parts, 'after'));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      status: 400,
      code: 'request.invalid_cursor',
      detail: 'after is not one this API handed out',
    });
  });
});
