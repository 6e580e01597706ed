import type { DataSource } from 'typeorm';
import { decideAccess, type MailboxScope } from '#access';
import { Postkasse } from '#composition';
import { testConfig, testDatabase } from '../../../test/support/fixtures';
import { SmtpSink } from '../../../test/support/smtp-sink';
import { EmailConfirmationService } from '../src/mailbox/email-confirmation.service';
import { MailboxSettings } from '../src/mailbox/mailbox-settings';

jest.setTimeout(30_000);

const ORGANISATION = '974760673';
const sink = new SmtpSink();
let db: DataSource;
let close: () => Promise<void>;
let confirmation: EmailConfirmationService;
let settings: MailboxSettings;
let administrator: MailboxScope;

beforeAll(async () => {
  const port = await sink.start();
  let url: string;
  ({ db, url, close } = await testDatabase());
  const config = await testConfig(url, {
    SMTP_URL: `smtp://127.0.0.1:${port}/?tls.rejectUnauthorized=false`,
  });
  const root = new Postkasse(config, { db });
  confirmation = new EmailConfirmationService(root, config);
  settings = new MailboxSettings(db, confirmation);
  const mailbox = await root.mailboxes.findOrCreateOrganisation(db.manager, ORGANISATION);
  const scope = decideAccess(
    { personRef: 'someone', administratorOf: [ORGANISATION] },
    { id: mailbox.id, kind: 'organisation', organisationNumber: ORGANISATION },
    [],
    new Date(),
  );
  if (scope === 'none') throw new Error('an administrator from the token acts for it');
  administrator = scope;
});

afterAll(async () => {
  confirmation.onApplicationShutdown();
  await close();
  await sink.stop();
});

describe("an organisation's settings, on its administrator's scope", () => {
  it('sets and confirms the notification address through the same flow as a person', async () => {
    const updated = await settings.update(administrator, { notificationEmail: 'post@acme.test' });
    expect(updated).toMatchObject({ notificationEmail: 'post@acme.test', emailConfirmed: false });
    const deadline = Date.now() + 10_000;
    while (sink.to('post@acme.test').length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const [sent] = sink.to('post@acme.test');
    const token = /token=([A-Za-z0-9_-]+)/.exec(sent?.mail.text ?? '');
    expect(token).not.toBeNull();
    await confirmation.confirmations.confirm(token![1]);
    expect(await settings.get(administrator)).toMatchObject({
      notificationEmail: 'post@acme.test',
      emailConfirmed: true,
    });
  });

  it('refuses to reserve an organisation against digital post, and changes nothing', async () => {
    await expect(settings.update(administrator, { reserved: true })).rejects.toMatchObject({
      status: 400,
      code: 'settings.reserved_organisation',
    });
    expect(await settings.get(administrator)).toMatchObject({ reserved: false });
    // Saying it is not reserved is no change, and allowed.
    expect(await settings.update(administrator, { reserved: false })).toMatchObject({
      reserved: false,
    });
  });
});
