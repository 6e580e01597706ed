import { randomBytes } from 'node:crypto';
import { FaultStack, newNationalId } from './support/fault-stack';

/**
 * Hardening item 8: the processes' logs of a run that confirms an address, searches a mailbox
 * and fails queries holding an address, a title and document bytes contain none of those
 * values: paths are logged without their query, errors without the query's parameters.
 */
jest.setTimeout(120_000);

const stack = new FaultStack();
const marker = randomBytes(6).toString('hex');
const title = `Skattemelding ${marker}`;
const refusedEmail = `refused-${marker}@example.test`;
const search = `sok${marker}`;

beforeAll(async () => {
  await stack.boot({ env: { LOG_LEVEL: 'info' } });
  // Failures inside PostgreSQL, so that the failed statements carry the values as parameters.
  await stack.query(`
    CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the log test'; END $$;
    CREATE TRIGGER refuse_title BEFORE INSERT ON letters FOR EACH ROW
      WHEN (NEW.title LIKE '%${marker}') EXECUTE FUNCTION refuse_for_test();
    CREATE TRIGGER refuse_address BEFORE UPDATE ON mailboxes FOR EACH ROW
      WHEN (NEW.notification_email = '${refusedEmail}') EXECUTE FUNCTION refuse_for_test();`);
});
afterAll(() => stack.shutdown());

it('logs no address, title, document, confirmation token or search term', async () => {
  const nationalId = newNationalId();
  const citizen = stack.api.as(await stack.citizenToken(nationalId));
  const email = `citizen-${marker}@example.test`;
  expect(
    (await citizen.request('PUT', '/v1/mailbox/settings', { notificationEmail: email })).status,
  ).toBe(200);
  const mail = await stack.api.waitFor(
    async () => stack.sink!.to(email).find((m) => /Confirm|Bekreft|Bekræft/.test(m.subject)),
    'confirmation mail',
    30_000,
  );
  const token = /email-confirmation\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  expect((await stack.api.get(`/v1/email-confirmation?token=${token}`)).status).toBe(200);
  expect((await stack.api.post(`/v1/email-confirmation?token=${token}`, {})).status).toBe(200);
  expect((await citizen.get(`/v1/mailbox/letters?q=${search}`)).status).toBe(200);

  const refused = await citizen.request('PUT', '/v1/mailbox/settings', {
    notificationEmail: refusedEmail,
  });
  expect(refused.status).toBe(500);
  const body = await stack.letterBody(nationalId, title);
  const content = body.documents[0].content;
  expect((await stack.submit(body)).status).toBe(500);

  // pino writes asynchronously; the answer can come before the line.
  await stack.api.waitFor(
    async () =>
      (
        stack
          .apiProcess()
          .output()
          .match(/unhandled error/g) ?? []
      ).length >= 2,
    'both failures in the log',
  );
  const logs = stack.processes.map((p) => p.output()).join('\n');
  expect(logs).toContain('/v1/email-confirmation');
  expect(logs).toContain('/v1/mailbox/letters');
  expect(logs).toContain('refused by the log test');
  const found = Object.entries({
    address: email,
    refusedAddress: refusedEmail,
    title: marker,
    token,
    search,
    document: content.slice(100, 160),
    parameters: '"parameters"',
    bytes: '"type":"Buffer"',
  }).filter(([, value]) => logs.includes(value));
  expect(found.map(([name]) => name)).toEqual([]);
});
