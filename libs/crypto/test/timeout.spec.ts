import { OpenPgpError } from '../src/errors';
import { withTimeout } from '../src/timeout';

describe('withTimeout', () => {
  it('passes the result through when the work finishes in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000, 'answering')).resolves.toBe(42);
  });

  it('passes the work’s own error through', async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000, 'x')).rejects.toThrow('boom');
  });

  it('rejects with openpgp.timeout when the work takes too long', async () => {
    const never = new Promise<never>(() => undefined);

    const error = await withTimeout(never, 5, 'waiting').catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(OpenPgpError);
    expect((error as OpenPgpError).code).toBe('openpgp.timeout');
    expect((error as OpenPgpError).detail).toBe('waiting took longer than 5 ms');
  });
});
