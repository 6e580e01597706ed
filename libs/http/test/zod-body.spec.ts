import { z } from 'zod';
import { DomainError } from '#errors';
import { ZodPipe } from '../src/zod-body';

describe('validating a body at the edge', () => {
  it('names where in the body a value is wrong, array positions in brackets', () => {
    const pipe = new ZodPipe(
      z.strictObject({ notices: z.array(z.strictObject({ action: z.enum(['stored']) })) }),
    );
    let error: unknown;
    try {
      pipe.transform({ notices: [{ action: 'stored' }, { action: 'sold' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      status: 400,
      code: 'request.invalid_body',
      detail: expect.stringMatching(/^notices\[1\]\.action: /),
      extra: { errors: [{ path: 'notices.1.action', message: expect.any(String) }] },
    });
    expect(() => pipe.transform({ notices: [], extra: 1 })).toThrow(
      /body: unknown field\(s\) extra/,
    );
  });
});
