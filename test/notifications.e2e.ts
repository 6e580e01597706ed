import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from './support/agency';
import { ApiClient } from './support/http';
import { SmtpSink, type Received } from './support/smtp-sink';
import { Stack, freePort } from './support/stack';

jest.setTimeout(120_000);

const stack = new Stack();
let sink: SmtpSink;
let api: ApiClient;
let agency: TestAgency;
let agencyApi: ApiClient;
let platformKey: string;
let queuePrefix: string;
const WEB_URL = 'https://post.example.test/';
const pad = (n: number) => String(n).padStart(2, '0');

let serial = 0;
function newCitizen(): string {
  serial += 1;
  return makeSyntheticNorwegianId(
    new Date(1960 + serial, serial % 12, 1 + serial),
    100 + serial,
    'tenor',
  );
}

async function citizen(nationalId: string): Promise<ApiClient> {
  return api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
}

async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  ms = 30_000,
) {
  return api.waitFor(async () => probe(), what, ms);
}

/** Sets an address through the API and confirms it with the link from the email. */
async function confirmedCitizen(
  email: string,
  settings: Record<string, unknown> = {},
): Promise<{ nationalId: string; me: ApiClient }> {
  const nationalId = newCitizen();
  const me = await citizen(nationalId);
  const put = await me.request('PUT', '/v1/mailbox/settings', {
    notificationEmail: email,
    ...settings,
  });
  expect(put.status).toBe(200);
  const [confirmation] = await mailsTo(email);
  const token = confirmationToken(confirmation);
  const done = await api.post('/v1/email-confirmation', { token });
  expect(done.status).toBe(200);
  return { nationalId, me };
}

function confirmationToken(message: Received): string {
  const match = /\/v1\/email-confirmation\?token=([A-Za-z0-9_-]+)/.exec(message.mail.text ?? '');
  if (!match) throw new Error('no confirmation link');
  return match[1];
}

async function send(nationalId: string, title: string, extra: Record<string, unknown> = {}) {
  const response = await agencyApi.post(
    '/v1/letters',
    {
      recipient: { nationalId },
      title,
      documents: [
        {
          filename: 'vedtak.txt',
          mediaType: 'text/plain',
          content: await sealFor(agency, platformKey, `Hemmelig innhold for ${nationalId}`),
        },
      ],
      ...extra,
    },
    { 'idempotency-key': randomUUID() },
  );
  expect(response.status).toBe(202);
  return response.body.id as string;
}

async function receipts(letterId: string) {
  const r = await agencyApi.get(`/v1/letters/${letterId}/receipts`);
  return r.body.items as {
    type: string;
    kind?: string;
    reason?: { code: string; detail: string };
  }[];
}

function waitForReceipt(letterId: string, type: string, kind: string, ms?: number) {
  return waitFor(
    async () => (await receipts(letterId)).find((r) => r.type === type && r.kind === kind),
    `${type}/${kind} for ${letterId}`,
    ms,
  );
}

/** Waits until `address` has received at least `count` emails and returns them. */
async function mailsTo(address: string, count = 1): Promise<Received[]> {
  return waitFor(() => {
    const mails = sink.to(address);
    return mails.length >= count ? mails : undefined;
  }, `${count} email(s) to ${address}`);
}

/** The worker's log lines about one letter, parsed (pino JSON). */
function workerLog(letterId: string): Record<string, unknown>[] {
  const worker = stack.processes.find((p) => p.name === 'worker')!;
  return worker
    .output()
    .split('\n')
    .filter((line) => line.includes(letterId))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function withTitle(address: string, title: string): Received[] {
  return sink.to(address).filter((m) => (m.mail.text ?? '').includes(title));
}

beforeAll(async () => {
  sink = new SmtpSink(await freePort());
  await sink.start();
  // A quiet-hours window around "now" in UTC; only the citizen who lives in UTC is inside it.
  const now = new Date();
  const start = new Date(now.getTime() - 30 * 60_000);
  const end = new Date(now.getTime() + 3 * 60_000);
  const hhmm = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  await stack.start({
    SMTP_URL: `smtp://127.0.0.1:${sink.port}/?tls.rejectUnauthorized=false`,
    MAIL_FROM: 'Postkasse <varsel@post.example.test>',
    PUBLIC_WEB_URL: WEB_URL,
    NOTIFY_ATTEMPTS: '6',
    NOTIFY_BACKOFF_MS: '250',
    REMINDER_DAY_MS: '1000',
    QUIET_HOURS: `${hhmm(start)}-${hhmm(end)}`,
    RELAY_INTERVAL_MS: '200',
    RECONCILE_INTERVAL_MS: '1000',
  });
  queuePrefix = stack.env.QUEUE_PREFIX!;
  api = new ApiClient(stack.baseUrl);
  platformKey = await platformPublicKey(stack);
  agency = await createAgency(stack, 'Skatteetaten & <Co> "Øst"');
  agencyApi = api.as(agency.apiKey);
});

afterAll(async () => {
  await stack.stop();
  await sink.stop();
});

describe('confirming a notification address', () => {
  it('sends only a confirmation link to a new address, and confirms it once with POST', async () => {
    const nationalId = newCitizen();
    const me = await citizen(nationalId);
    const put = await me.request('PUT', '/v1/mailbox/settings', {
      notificationEmail: 'kari@example.test',
      language: 'nb',
    });
    expect(put.body).toMatchObject({
      notificationEmail: 'kari@example.test',
      emailConfirmed: false,
    });

    // Unconfirmed: a delivered letter yields notification_failed, and no email but the link.
    const letterId = await send(nationalId, 'Før bekreftelse');
    const failed = await waitForReceipt(letterId, 'notification_failed', 'notify');
    expect(failed.reason?.code).toBe('notification.address_unconfirmed');
    const [confirmation] = await mailsTo('kari@example.test');
    expect(sink.to('kari@example.test')).toHaveLength(1);
    expect(confirmation.mail.subject).toBe('Bekreft e-postadressen din for Postkasse');
    expect(confirmation.mail.text).toContain('Lenken virker én gang og utløper om 48 timer.');
    const token = confirmationToken(confirmation);
    expect(confirmation.mail.text).toContain(
      `https://post.example.test/v1/email-confirmation?token=${token}`,
    );
    expect(confirmation.raw).not.toContain(nationalId);

    // Opening the link shows a page and confirms nothing (mail scanners follow links).
    const page = await fetch(`${stack.baseUrl}/v1/email-confirmation?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<form method="post"');
    expect((await me.get('/v1/mailbox/settings')).body.emailConfirmed).toBe(false);

    // The page's button: a form POST with the token in the query, answered with a page.
    const button = await fetch(`${stack.baseUrl}/v1/email-confirmation?token=${token}`, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(button.status).toBe(200);
    expect(await button.text()).toContain('E-postadressen er bekreftet');
    expect((await me.get('/v1/mailbox/settings')).body.emailConfirmed).toBe(true);

    const again = await api.post('/v1/email-confirmation', { token });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body.code).toBe('email_confirmation.already_used');
  });

  it('answers problem+json for a bad token, and an older link expires when the address changes', async () => {
    const bad = await api.post('/v1/email-confirmation', { token: 'x'.repeat(43) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ code: 'email_confirmation.invalid_token', status: 400 });
    const badPage = await api.get('/v1/email-confirmation?token=nonsense');
    expect(badPage.status).toBe(400);
    expect(badPage.body.code).toBe('email_confirmation.invalid_token');

    const nationalId = newCitizen();
    const me = await citizen(nationalId);
    await me.request('PUT', '/v1/mailbox/settings', { notificationEmail: 'first@example.test' });
    const [first] = await mailsTo('first@example.test');
    await me.request('PUT', '/v1/mailbox/settings', { notificationEmail: 'second@example.test' });
    await mailsTo('second@example.test');
    const stale = await api.post('/v1/email-confirmation', { token: confirmationToken(first) });
    expect(stale.status).toBe(410);
    expect(stale.body.code).toBe('email_confirmation.expired');
    expect((await me.get('/v1/mailbox/settings')).body).toMatchObject({
      notificationEmail: 'second@example.test',
      emailConfirmed: false,
    });

    // A new link on request; none once confirmed.
    const resend = await me.post('/v1/mailbox/settings/email-confirmation', {});
    expect(resend.status).toBe(202);
    await mailsTo('second@example.test', 2);
    const latest = sink.to('second@example.test')[1];
    expect(
      (await api.post('/v1/email-confirmation', { token: confirmationToken(latest) })).status,
    ).toBe(200);
    const none = await me.post('/v1/mailbox/settings/email-confirmation', {});
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('email_confirmation.nothing_to_confirm');
  });
});

describe('telling a citizen about a delivered letter', () => {
  const cases = [
    {
      language: 'nb',
      subject: 'Ny post fra Skatteetaten & <Co> "Øst"',
      lines: [
        'Du har fått et nytt brev i Postkasse.',
        'Fra: Skatteetaten & <Co> "Øst"',
        'Logg inn for å lese det:',
      ],
      titleLabel: 'Tittel',
    },
    {
      language: 'da',
      subject: 'Ny post fra Skatteetaten & <Co> "Øst"',
      lines: [
        'Du har modtaget et nyt brev i Postkasse.',
        'Fra: Skatteetaten & <Co> "Øst"',
        'Log ind for at læse det:',
      ],
      titleLabel: 'Titel',
    },
    {
      language: 'en',
      subject: 'New letter from Skatteetaten & <Co> "Øst"',
      lines: [
        'You have received a new letter in Postkasse.',
        'From: Skatteetaten & <Co> "Øst"',
        'Sign in to read it:',
      ],
      titleLabel: 'Title',
    },
  ] as const;

  it.each(cases)(
    'sends one $language email naming the sender and title, with no content, ids or secrets',
    async ({ language, subject, lines, titleLabel }) => {
      const email = `reader-${language}@example.test`;
      const { nationalId } = await confirmedCitizen(email, { language });
      const title = `Vedtak <b>om</b> "bostøtte" & mer (${language})`;
      const letterId = await send(nationalId, title, { reminderAfterDays: 0 });
      await waitForReceipt(letterId, 'notified', 'notify');
      const [message] = withTitle(email, title);
      expect(message.mail.subject).toBe(subject);
      expect(message.mail.from?.value).toEqual([
        { name: 'Postkasse', address: 'varsel@post.example.test' },
      ]);
      for (const line of lines) expect(message.mail.text).toContain(line);
      expect(message.mail.text).toContain(`${titleLabel}: ${title}`);
      expect(message.mail.text).toContain(WEB_URL);
      // HTML is escaped; the link is the start page with no token.
      const html = String(message.mail.html);
      expect(html).toContain('Vedtak &lt;b&gt;om&lt;/b&gt; &quot;bostøtte&quot; &amp; mer');
      expect(html).not.toContain('<b>om</b>');
      expect(html).toContain('Skatteetaten &amp; &lt;Co&gt; &quot;Øst&quot;');
      expect(html).toContain(`href="${WEB_URL}"`);
      expect(message.raw).not.toContain(letterId);
      expect(message.raw).not.toContain(nationalId);
      expect(message.raw).not.toContain('Hemmelig innhold');
      expect(message.raw).not.toMatch(/token=/);
      expect(message.secure).toBe(true); // STARTTLS, as the server offered it
      expect(message.mail.attachments).toHaveLength(0);

      const timeline = (await agencyApi.get(`/v1/letters/${letterId}`)).body.timeline;
      expect(timeline.map((t: { type: string }) => t.type)).toContain('notified');
      expect(withTitle(email, title)).toHaveLength(1);
    },
  );

  it('fails at once with a reason when the mailbox has no address', async () => {
    const letterId = await send(newCitizen(), 'Uten adresse');
    const failed = await waitForReceipt(letterId, 'notification_failed', 'notify');
    expect(failed.reason).toEqual({
      code: 'notification.no_address',
      detail: 'the mailbox has no notification address',
    });
    // The feed shows receipts once the sequencer has given them their log index.
    const inFeed = await agencyApi.waitFor(async () => {
      const events = await agencyApi.get('/v1/events?limit=1000');
      return events.body.items.some(
        (e: { type: string; letterId: string }) =>
          e.type === 'notification_failed' && e.letterId === letterId,
      );
    }, 'notification_failed in the event feed');
    expect(inFeed).toBe(true);
  });
});

describe('reminders', () => {
  it('reminds once when the letter is still unread after reminderAfterDays', async () => {
    const email = 'unread@example.test';
    const { nationalId } = await confirmedCitizen(email, { language: 'en' });
    const letterId = await send(nationalId, 'Påminnelse-test', { reminderAfterDays: 2 });
    await waitForReceipt(letterId, 'notified', 'notify');
    const reminder = await waitForReceipt(letterId, 'reminder_sent', 'reminder');
    expect(reminder.kind).toBe('reminder');
    const mails = withTitle(email, 'Påminnelse-test');
    expect(mails.map((m) => m.mail.subject).sort()).toEqual([
      'New letter from Skatteetaten & <Co> "Øst"',
      'Reminder: unread letter from Skatteetaten & <Co> "Øst"',
    ]);
    const reminderMail = mails.find((m) => m.mail.subject?.startsWith('Reminder'));
    expect(reminderMail?.mail.text).toContain(
      'You have a letter in Postkasse that you have not read yet.',
    );
    await new Promise((r) => setTimeout(r, 2_500));
    expect(withTitle(email, 'Påminnelse-test')).toHaveLength(2);
  });

  it('sends no reminder for a letter read in time, nor when reminderAfterDays is 0', async () => {
    const email = 'reader@example.test';
    const { nationalId, me } = await confirmedCitizen(email);
    const token = await stack.cli(['dev', 'token', '--citizen', nationalId]);
    const readId = await send(nationalId, 'Leses straks', { reminderAfterDays: 5 });
    const off = await send(nationalId, 'Ingen påminnelse', { reminderAfterDays: 0 });
    // Read as soon as it is delivered: well before its five (test) days are up.
    await agencyApi.waitForState(readId, 'delivered');
    const letter = (await me.get(`/v1/mailbox/letters/${readId}`)).body;
    const doc = await fetch(
      `${stack.baseUrl}/v1/mailbox/letters/${readId}/documents/${letter.documents[0].id}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(doc.status).toBe(200);
    await waitForReceipt(off, 'notified', 'notify');
    await new Promise((r) => setTimeout(r, 6_500));
    // At most the "you have mail" email (none if the letter was read before it went out).
    const read = withTitle(email, 'Leses straks');
    expect(read.length).toBeLessThanOrEqual(1);
    expect(read.filter((m) => m.mail.subject?.startsWith('Påminnelse'))).toHaveLength(0);
    expect(withTitle(email, 'Ingen påminnelse')).toHaveLength(1);
    const types = (await receipts(readId)).map((r) => r.type);
    expect(types).not.toContain('reminder_sent');
    expect(types).not.toContain('notification_failed');
    expect((await receipts(off)).map((r) => r.type)).not.toContain('reminder_sent');
  });
});

describe('when the mail server misbehaves', () => {
  it('retries a 4xx answer with backoff and then sends', async () => {
    const email = 'greylisted@example.test';
    const { nationalId } = await confirmedCitizen(email);
    sink.rules.set(email, 'tempfail_once');
    const letterId = await send(nationalId, 'Grålistet', { reminderAfterDays: 0 });
    await waitForReceipt(letterId, 'notified', 'notify');
    expect(withTitle(email, 'Grålistet')).toHaveLength(1);
    expect((await receipts(letterId)).map((r) => r.type)).not.toContain('notification_failed');
  });

  it('treats a 5xx answer as final, with a reason that does not reveal the address', async () => {
    const email = 'gone@example.test';
    const { nationalId } = await confirmedCitizen(email);
    sink.rules.set(email, 'reject');
    const letterId = await send(nationalId, 'Avvist', { reminderAfterDays: 0 });
    const failed = await waitForReceipt(letterId, 'notification_failed', 'notify');
    expect(failed.reason?.code).toBe('notification.rejected');
    expect(failed.reason?.detail).toContain('smtp.550');
    expect(failed.reason?.detail).not.toContain(email);
    expect(withTitle(email, 'Avvist')).toHaveLength(0);
    expect((await agencyApi.get(`/v1/letters/${letterId}`)).body.state).toBe('delivered');
    // The worker says so too, with the reason and that nothing more will be tried.
    const logged = workerLog(letterId);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 40,
        kind: 'notify',
        reason: expect.stringMatching(/^notification\.rejected: smtp\.550/),
        nextAttemptAt: null,
      }),
    ]);
    expect(JSON.stringify(logged)).not.toContain(email);
  });

  it('gives up after the configured attempts of 4xx answers', async () => {
    const email = 'full@example.test';
    const { nationalId } = await confirmedCitizen(email);
    sink.rules.set(email, 'tempfail_always');
    const letterId = await send(nationalId, 'Full postkasse', { reminderAfterDays: 0 });
    const failed = await waitForReceipt(letterId, 'notification_failed', 'notify', 40_000);
    expect(failed.reason?.code).toBe('notification.retries_exhausted');
    expect(failed.reason?.detail).toMatch(/^6 attempts; last: smtp\.451/);
  });

  it('delivers while the mail server is down and drains the backlog when it is back', async () => {
    const email = 'patient@example.test';
    const { nationalId } = await confirmedCitizen(email);
    await sink.stop();
    const letterId = await send(nationalId, 'Nede og oppe', { reminderAfterDays: 0 });
    await agencyApi.waitForState(letterId, 'delivered');
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await receipts(letterId)).map((r) => r.type)).not.toContain('notified');
    await sink.start();
    await waitForReceipt(letterId, 'notified', 'notify');
    expect(withTitle(email, 'Nede og oppe')).toHaveLength(1);
    // Each failed attempt is in the worker's log with its reason and the next try.
    const attempts = workerLog(letterId);
    expect(attempts.length).toBeGreaterThan(0);
    for (const line of attempts) {
      expect(line).toMatchObject({
        level: 40,
        kind: 'notify',
        reason: expect.stringMatching(/^smtp\.\w+: .*ECONNREFUSED/),
      });
      expect(new Date(String(line.nextAttemptAt)).getTime()).toBeGreaterThan(Number(line.time));
      expect(line.msg).toMatch(/^notification attempt \d+ of 6 failed .*; next attempt at /);
    }
    expect(JSON.stringify(attempts)).not.toContain(email);
  });

  it('sends one email even when the job runs twice, during and after the send', async () => {
    const email = 'twice@example.test';
    const { nationalId } = await confirmedCitizen(email);
    sink.rules.set(email, 'slow');
    const letterId = await send(nationalId, 'To ganger', { reminderAfterDays: 0 });
    const queue = new Queue('notify', {
      connection: { url: stack.env.REDIS_URL },
      prefix: queuePrefix,
    });
    try {
      // While the first run is in the SMTP transaction, a second job for the same letter.
      await waitFor(
        async () => (await queue.getJob(`notify-${letterId}`))?.isActive(),
        'first run',
      );
      await new Promise((r) => setTimeout(r, 300));
      await queue.add('notify', { letterId }, { jobId: `notify-again-${letterId}` });
      await waitForReceipt(letterId, 'notified', 'notify');
      // And a third after it finished, as a reconciler re-adding the job would.
      const third = await queue.add('notify', { letterId }, { jobId: `notify-third-${letterId}` });
      await waitFor(async () => (await third.getState()) === 'completed', 'third run');
      expect(await queue.getJob(`notify-third-${letterId}`).then((j) => j?.returnvalue)).toBe(
        'already_done',
      );
      expect(await (await queue.getJob(`notify-again-${letterId}`))!.getState()).toBe('delayed');
    } finally {
      await queue.close();
    }
    expect(withTitle(email, 'To ganger')).toHaveLength(1);
    expect((await receipts(letterId)).filter((r) => r.type === 'notified')).toHaveLength(1);
  });
});

describe('quiet hours', () => {
  it('delays a notification inside the window in the mailbox time zone instead of dropping it', async () => {
    const email = 'sleeping@example.test';
    const { nationalId } = await confirmedCitizen(email, { timeZone: 'UTC' });
    const letterId = await send(nationalId, 'Stille timer', { reminderAfterDays: 0 });
    await agencyApi.waitForState(letterId, 'delivered');
    const queue = new Queue('notify', {
      connection: { url: stack.env.REDIS_URL },
      prefix: queuePrefix,
    });
    try {
      const job = await waitFor(async () => {
        const j = await queue.getJob(`notify-${letterId}`);
        return j && (await j.getState()) === 'delayed' ? j : undefined;
      }, 'the delayed notify job');
      expect(job.data).toEqual({ letterId });
      // Still waiting a few seconds later: quiet hours delay, they do not fail or drop.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await job.getState()).toBe('delayed');
    } finally {
      await queue.close();
    }
    expect(withTitle(email, 'Stille timer')).toHaveLength(0);
    expect((await receipts(letterId)).map((r) => r.type)).not.toContain('notification_failed');
  });

  it('gets a lost job back from PostgreSQL when Redis forgets it', async () => {
    const { nationalId } = await confirmedCitizen('forgotten@example.test', { timeZone: 'UTC' });
    const letterId = await send(nationalId, 'Glemt jobb', { reminderAfterDays: 0 });
    const queue = new Queue('notify', {
      connection: { url: stack.env.REDIS_URL },
      prefix: queuePrefix,
    });
    try {
      const delayed = async () => {
        const j = await queue.getJob(`notify-${letterId}`);
        return j && (await j.getState()) === 'delayed' ? j : undefined;
      };
      const job = await waitFor(delayed, 'the delayed notify job');
      await job.remove();
      expect(await queue.getJob(`notify-${letterId}`)).toBeUndefined();
      // The notification reconciler re-creates it; it runs and waits out the quiet hours again.
      await waitFor(delayed, 'the re-created notify job', 30_000);
    } finally {
      await queue.close();
    }
    expect(withTitle('forgotten@example.test', 'Glemt jobb')).toHaveLength(0);
  });
});
