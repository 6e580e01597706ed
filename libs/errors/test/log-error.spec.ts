import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { loggedError } from '../src/log-error';

describe('the logged form of an error', () => {
  const driver = Object.assign(new Error('duplicate key value violates unique constraint "u"'), {
    code: '23505',
    constraint: 'u',
    detail: 'Key (email)=(kari@example.test) already exists.',
  });
  const failed = new QueryFailedError(
    'UPDATE mailboxes SET notification_email = $1',
    ['kari@example.test', Buffer.from('document')],
    driver,
  );

  it("keeps the SQL, code and constraint of a failed query but neither its parameters nor the driver's detail", () => {
    for (const given of [failed, pino.stdSerializers.err(failed)]) {
      const logged = loggedError(given);
      expect(logged).toMatchObject({
        type: 'QueryFailedError',
        code: '23505',
        constraint: 'u',
        query: 'UPDATE mailboxes SET notification_email = $1',
      });
      expect(JSON.stringify(logged)).not.toContain('kari@example.test');
      expect(JSON.stringify(logged)).not.toContain('Buffer');
    }
  });

  it('follows causes, and describes what is not an error', () => {
    const wrapped = new Error('delivery failed', { cause: failed });
    expect(loggedError(wrapped).cause).toMatchObject({ type: 'QueryFailedError' });
    expect(loggedError('boom')).toEqual({ type: 'string', message: 'boom' });
  });
});
