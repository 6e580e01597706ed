import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeSyntheticNorwegianId } from '#identity';
import { sealFor, type TestAgency } from '../support/agency';
import { ApiClient } from '../support/http';
import { ROOT, Stack } from '../support/stack';
import { endToEndDocument } from '../support/fixtures';
import {
  expectAccessible,
  expectNavFits as navFits,
  startBrowserWorld,
  session as newSession,
  shot,
  titled,
  WEB_DIST,
} from './browser-support';

// The main menu of a citizen's own mailbox: three folders, what was sent, settings, the access log, the grants.
const NAV_ITEMS = 7;
const expectNavFits = (page: Page) => navFits(page, NAV_ITEMS);
const session = (viewport: { width: number; height: number }) => newSession(browser, viewport);

jest.setTimeout(120_000);

const KARI = makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor');
const OLA = makeSyntheticNorwegianId(new Date('1979-10-02'), 456, 'tenor');

const stack = new Stack();
let api: ApiClient;
let agency: TestAgency;
let agencyApi: ApiClient;
let platformKey: string;
let browser: Browser;
const measured: Record<string, number> = {};

beforeAll(async () => {
  ({ browser, api, agency, agencyApi, platformKey } = await startBrowserWorld(
    stack,
    'Skatteetaten',
  ));
});

afterAll(async () => {
  await browser?.close();
  await stack.stop();
  if (Object.keys(measured).length) console.log('web client measurements (ms):', measured);
});

// The smallest PDF a viewer opens: one empty page.
const MINIMAL_PDF =
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
  '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
  '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n' +
  'trailer<</Root 1 0 R>>\n%%EOF\n';

async function sendLetter(
  nationalId: string,
  title: string,
  text: string,
  document = { filename: 'vedtak.txt', mediaType: 'text/plain' },
) {
  const response = await agencyApi.post(
    '/v1/letters',
    {
      recipient: { nationalId },
      title,
      senderReference: `SAK-2031/${title.length}`,
      requiresAcknowledgement: true,
      dueDate: '2031-01-31',
      documents: [{ ...document, content: await sealFor(agency, platformKey, text) }],
    },
    { 'idempotency-key': randomUUID() },
  );
  expect(response.status).toBe(202);
  await agencyApi.waitForState(response.body.id, 'delivered');
  return response.body.id as string;
}

async function receiptTypes(letterId: string): Promise<string[]> {
  const r = await agencyApi.get(`/v1/letters/${letterId}/receipts`);
  return (r.body.items as { type: string }[]).map((i) => i.type);
}

describe.each([
  { device: 'phone', viewport: { width: 360, height: 740 }, citizen: KARI, name: /^Kari Nordmann/ },
  {
    device: 'desktop',
    viewport: { width: 1280, height: 800 },
    citizen: OLA,
    name: /^Ola Nordmann/,
  },
])('a citizen on a $device', ({ device, viewport, citizen, name }) => {
  let context: BrowserContext;
  let page: Page;
  let letterId: string;
  const title = `Vedtak om bostøtte (${device})`;

  beforeAll(async () => {
    context = await session(viewport);
    page = await context.newPage();
    // The mailbox's language decides the client's; start in English, switch in the settings.
    const citizenApi = api.as(await stack.cli(['dev', 'token', '--citizen', citizen]));
    expect(
      (await citizenApi.request('PUT', '/v1/mailbox/settings', { language: 'en' })).status,
    ).toBe(200);
    letterId = await sendLetter(citizen, title, `Du har fått innvilget bostøtte.\nSak ${device}.`);
    const lookup = await agencyApi.post('/v1/recipients/lookup', {
      nationalIds: [citizen],
      purpose: 'Checking digital post before sending a housing benefit decision',
    });
    expect(lookup.status).toBe(200);
  });

  afterAll(() => context.close());

  it('logs in with the OpenID Connect code flow and sees the letter the agency just sent', async () => {
    await page.goto(`${stack.baseUrl}/`);
    await expect(page.getByRole('heading', { name: 'Postkasse' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page, `${device} login`);
    await shot(page, `${device}-login`);
    // The footer's pages can be read before logging in.
    for (const [link, heading] of [
      ['Help', 'Help'],
      ['Contact', 'Contact'],
      ['Privacy', 'Privacy'],
      ['Accessibility statement', 'Accessibility statement'],
    ]) {
      await page.getByRole('contentinfo').getByRole('link', { name: link }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    }
    await expect(page.getByText(/WCAG 2\.1 level AA/).isVisible()).resolves.toBe(true);
    await expectAccessible(page, `${device} accessibility statement`);
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/dev-oidc\/interaction\//);
    await expectAccessible(page, `${device} account picker`);
    await page.getByRole('button', { name }).click();

    const letter = page.getByRole('link', { name: titled(title) });
    await letter.waitFor();
    // The first screen of the inbox, from the start of the callback page load: reported, not
    // asserted (a busy machine makes any bound flaky; speed belongs to the benchmark).
    measured[`${device} inbox rendered after callback`] = Math.round(
      await page.evaluate(() => performance.now()),
    );
    await expect(letter.textContent()).resolves.toMatch(
      /Skatteetaten.*Unread.*Needs acknowledgement.*Due/s,
    );
    await expect(page.getByRole('link', { name: /Inbox/ }).textContent()).resolves.toMatch(/1/);
    // Tokens live in memory only.
    const stored = await page.evaluate(() => {
      const g = globalThis as any;
      return JSON.stringify({ ...g.localStorage, ...g.sessionStorage });
    });
    expect(stored).not.toMatch(/eyJ/);
    await expectNavFits(page);
    await expectAccessible(page, `${device} inbox`);
    await shot(page, `${device}-inbox`);
  });

  it('opens the letter, reads the document and acknowledges it; the sender gets read and acknowledged', async () => {
    await page.getByRole('link', { name: titled(title) }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.getByText(`Sak ${device}.`).waitFor();
    await expect(page.getByText(`SAK-2031/${title.length}`).isVisible()).resolves.toBe(true);
    // A reload keeps the citizen on the letter: a silent login at the issuer, no stored token.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/letters/${letterId}`);
    await page.getByText(`Sak ${device}.`).waitFor();
    const confirm = page.getByRole('button', { name: 'Confirm that I have read it' });
    await api.waitFor(() => confirm.isEnabled(), 'the confirm button to be enabled');
    await expectAccessible(page, `${device} letter`);
    await shot(page, `${device}-letter`);
    await confirm.click();
    await page.getByText(/You confirmed on/).waitFor();
    // Done looks done: not the amber of a warning, and "Acknowledged" said once.
    const panel = page.locator('.ack-box');
    const colours = await panel.evaluate((el) => {
      const style = (globalThis as any).getComputedStyle(el);
      return style.backgroundColor as string;
    });
    expect(colours).not.toBe('rgb(255, 244, 214)');
    await expect(page.getByText(/Acknowledged/).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Print' }).isVisible()).resolves.toBe(true);
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('header.top').isVisible()).resolves.toBe(false);
    await expect(page.getByText(`SAK-2031/${title.length}`).isVisible()).resolves.toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await api.waitFor(async () => {
      const types = await receiptTypes(letterId);
      return types.includes('read') && types.includes('acknowledged');
    }, 'read and acknowledged receipts');
  });

  it('marks the letter unread again and finds it under "Unread only"; the read receipt stays', async () => {
    await page.getByRole('button', { name: 'Mark as unread' }).click();
    await page.getByText('The letter is marked as unread.').waitFor();
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.getByRole('link', { name: 'Unread only' }).click();
    await page.waitForURL(/\?unread=1/);
    const item = page.getByRole('link', { name: titled(title) });
    await item.waitFor();
    await expect(item.textContent()).resolves.toMatch(/Unread/);
    const view = await api
      .as(await stack.cli(['dev', 'token', '--citizen', citizen]))
      .get(`/v1/mailbox/letters/${letterId}`);
    expect(view.body).toMatchObject({ unread: true, senderReference: `SAK-2031/${title.length}` });
    expect(view.body.readAt).not.toBeNull();
    await item.click();
    await page.getByText(`Sak ${device}.`).waitFor();
    await api.waitFor(
      async () =>
        !(
          await api
            .as(await stack.cli(['dev', 'token', '--citizen', citizen]))
            .get(`/v1/mailbox/letters/${letterId}`)
        ).body.unread,
      'reading it again to clear the mark',
    );
  });

  it('asks before deleting a letter that still needs acknowledgement; in the trash it asks nothing', async () => {
    const other = `Varsel om tilsyn (${device})`;
    await sendLetter(citizen, other, 'Vi kommer på tilsyn.');
    // A fresh load of the inbox (it survives reloads) shows the letter that just arrived.
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('link', { name: titled(other) }).click();
    await page.getByRole('heading', { level: 1, name: other }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toMatch(/still needs your confirmation/);
    await expectAccessible(page, `${device} delete confirmation`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog.count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete anyway' }).click();
    await page.getByText(/moved to the trash/).waitFor();
    await page.getByRole('heading', { name: 'Not confirmed' }).waitFor();
    await expect(page.getByText('Needs acknowledgement').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Trash', exact: true }).click();
    const inTrash = page.getByRole('link', { name: titled(other) });
    await inTrash.waitFor();
    await expect(inTrash.textContent()).resolves.not.toMatch(/Needs acknowledgement/);
    await inTrash.click();
    await page.getByRole('heading', { level: 1, name: other }).waitFor();
  });

  it('archives the letter, finds it by searching, deletes it and restores it from the trash', async () => {
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.getByRole('link', { name: titled(title) }).click();
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.getByText('The letter was moved to Archive.').waitFor();
    await page.getByRole('link', { name: 'Archive', exact: true }).click();
    await page.getByRole('searchbox').fill('bostøtte');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: titled(title) }).click();
    // Acknowledged already: one tap deletes it.
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(/moved to the trash/).waitFor();
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.getByText('The letter was restored.').waitFor();
    const view = await api
      .as(await stack.cli(['dev', 'token', '--citizen', citizen]))
      .get(`/v1/mailbox/letters/${letterId}`);
    // Moving out of the trash restores to the inbox (PATCH with a folder).
    expect(view.body.folder).toBe('inbox');
  });

  it('changes the settings: notification email, language and the explained reservation', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Email for notifications').fill(`${device}@example.test`);
    await page.getByLabel('Language').selectOption('nb');
    await expect(page.getByText(/ordinary mail instead/).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Innstillingene er lagret.').waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('nb');
    await expectAccessible(page, `${device} settings`);
    await shot(page, `${device}-settings`);
    const settings = await api
      .as(await stack.cli(['dev', 'token', '--citizen', citizen]))
      .get('/v1/mailbox/settings');
    expect(settings.body).toMatchObject({
      notificationEmail: `${device}@example.test`,
      emailConfirmed: false,
      language: 'nb',
      reserved: false,
    });
  });

  it('downloads all their post as one archive that verifies offline', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Last ned all posten min' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^postkasse-export-\d{4}-\d{2}-\d{2}\.tar$/);
    await page.getByText(/^Posten din ble lastet ned som postkasse-export-/).waitFor();
    await expectAccessible(page, `${device} settings after the export`);
    const path = join(mkdtempSync(join(tmpdir(), 'postkasse-web-export-')), 'export.tar');
    await file.saveAs(path);
    const verified = spawnSync(
      process.execPath,
      [
        join(ROOT, 'dist/apps/cli/src/main.js'),
        'evidence',
        'verify-export',
        path,
        '--key',
        `${stack.baseUrl}/v1/platform/keys`,
      ],
      { encoding: 'utf8' },
    );
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toMatch(/^OK: \d+ letters/);
  });

  it('reads who has looked at their data, and why, with the letter named', async () => {
    const auditor = api.as(await stack.cli(['dev', 'token', '--auditor', 'Riksrevisjonen']));
    expect((await auditor.get(`/v1/audit/letters/${letterId}/evidence`)).status).toBe(200);
    await page.getByRole('link', { name: 'Hvem har sett på mine data' }).click();
    // The list, not the "What" filter, which offers the same action texts.
    const list = page.locator('ol.access-log');
    await list.getByText('Så på kvitteringene og bevisene for et brev').waitFor();
    // The platform's default purpose is shown in the reader's language, the letter by its title.
    await expect(
      page.getByText('Revisjon av et brev og kvitteringene for det').isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByRole('link', { name: title }).getAttribute('href')).resolves.toBe(
      `/letters/${letterId}`,
    );
    await expect(page.getByText('audit.letter_evidence').count()).resolves.toBe(0);
    await expectNavFits(page);
    await page
      .getByText('Checking digital post before sending a housing benefit decision')
      .waitFor();
    await expect(list.getByText('Sjekket om du kan motta digital post').isVisible()).resolves.toBe(
      true,
    );
    await expectAccessible(page, `${device} access log`);
    await shot(page, `${device}-access-log`);
  });

  if (device === 'desktop') {
    it('makes a key in the browser and reads an end-to-end letter, with the agency signature checked', async () => {
      await page.getByRole('link', { name: 'Innstillinger' }).click();
      await page.getByLabel('Passordfrase', { exact: true }).fill('correct horse battery');
      await page.getByLabel('Gjenta passordfrasen').fill('correct horse battery');
      await page.getByRole('button', { name: 'Lag en ny nøkkel' }).click();
      await page.getByText(/Nøkkelen er lagret/).waitFor();
      const stored = await api
        .as(await stack.cli(['dev', 'token', '--citizen', citizen]))
        .get('/v1/mailbox/key');
      expect(stored.body.encryptedPrivateKey).toContain('PRIVATE KEY BLOCK');
      // The private key reached the server only encrypted.
      const secret = await openpgp.readPrivateKey({ armoredKey: stored.body.encryptedPrivateKey });
      expect(secret.isDecrypted()).toBe(false);

      const lookup = await agencyApi.post('/v1/recipients/lookup', {
        nationalIds: [citizen],
        purpose: 'Sending an end-to-end encrypted letter',
      });
      const sent = await agencyApi.post(
        '/v1/letters',
        {
          recipient: { nationalId: citizen },
          title: 'Kryptert brev',
          documents: [
            await endToEndDocument(
              'Bare du kan lese dette brevet.',
              lookup.body.items[0].publicKey,
              agency.privateKey,
            ),
          ],
        },
        { 'idempotency-key': randomUUID() },
      );
      expect(sent.status).toBe(202);
      await agencyApi.waitForState(sent.body.id, 'delivered');

      await page.getByRole('link', { name: /Innboks/ }).click();
      await page.getByRole('link', { name: /Kryptert brev/ }).click();
      await page.getByLabel('Passordfrase').fill('correct horse battery');
      await page.getByRole('button', { name: 'Lås opp og les' }).click();
      await page.getByText('Bare du kan lese dette brevet.').waitFor();
      await expect(page.getByText(/signaturen er gyldig/).isVisible()).resolves.toBe(true);
      await expectAccessible(page, `${device} end-to-end letter`);
      await shot(page, `${device}-end-to-end`);
    });
  }

  it("shows a PDF in the browser's viewer from a URL that ends in its filename", async () => {
    const filename = `Vedtak om bostøtte (${device}).pdf`;
    const pdfLetter = await sendLetter(citizen, `PDF-vedtak (${device})`, MINIMAL_PDF, {
      filename,
      mediaType: 'application/pdf',
    });
    await page.goto(`${stack.baseUrl}/letters/${pdfLetter}`);
    const viewer = page.locator('object.pdf');
    await viewer.waitFor({ state: 'attached' });
    // Chrome's viewer takes its title and download name from the URL's last segment.
    const url = (await viewer.getAttribute('data')) ?? '';
    expect(url).toMatch(/^\/v1\/document-views\/[A-Za-z0-9_-]{43}\/[^/]+$/);
    expect(decodeURIComponent(url.split('/').at(-1)!)).toBe(filename);
    await expect(viewer.getAttribute('title')).resolves.toBe(filename);
    // Chromium's viewer really opened it (its extension frame appears; the document's CSP
    // sandbox does not stop it).
    const viewerFrame = () => page.frames().some((f) => f.url().startsWith('chrome-extension://'));
    for (let waited = 0; !viewerFrame() && waited < 10_000; waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    expect(viewerFrame()).toBe(true);
    const served = await fetch(`${stack.baseUrl}${url}`);
    expect(served.headers.get('content-disposition')).toBe(
      `inline; filename*=UTF-8''${encodeURIComponent(filename)}`,
    );
    await expect(served.text()).resolves.toBe(MINIMAL_PDF);
  });

  it('logs out, which ends the session at the issuer too', async () => {
    await page.getByRole('button', { name: /Logg ut|Log out/ }).click();
    await page.getByRole('button', { name: /Logg inn|Log in/ }).waitFor();
    await page.getByRole('button', { name: /Logg inn|Log in/ }).click();
    await page.waitForURL(/\/dev-oidc\/interaction\//);
    await expect(page.getByRole('button', { name }).isVisible()).resolves.toBe(true);
  });
});

describe('a long inbox', () => {
  const INGRID = makeSyntheticNorwegianId(new Date('2001-06-30'), 789, 'tenor');

  it('loads older letters as the citizen scrolls (keyset pagination), newest first', async () => {
    const titles = Array.from(
      { length: 25 },
      (_, i) => `Melding ${String(i + 1).padStart(2, '0')}`,
    );
    for (const title of titles) {
      const sent = await agencyApi.post(
        '/v1/letters',
        {
          recipient: { nationalId: INGRID },
          title,
          documents: [
            {
              filename: 'melding.txt',
              mediaType: 'text/plain',
              content: await sealFor(agency, platformKey, title),
            },
          ],
        },
        { 'idempotency-key': randomUUID() },
      );
      await agencyApi.waitForState(sent.body.id, 'delivered');
    }
    const context = await session({ width: 360, height: 740 });
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('button', { name: /Log in|Logg inn/ }).click();
    await page.getByRole('button', { name: /^Ingrid Hansen/ }).click();
    const items = page.locator('ul.letters > li');
    await page.getByRole('link', { name: /Melding 25/ }).waitFor();
    expect(await items.count()).toBe(20);
    await items.last().scrollIntoViewIfNeeded();
    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await page.getByRole('link', { name: /Melding 01/ }).waitFor();
    expect(await items.count()).toBe(25);
    const shown = await items.locator('.title').allTextContents();
    expect(shown).toEqual([...titles].reverse());

    await page.getByRole('searchbox').fill('Melding 07');
    await page.getByRole('button', { name: /Search|Søk/ }).click();
    await page.waitForURL(/\?q=Melding/);
    await api.waitFor(async () => (await items.count()) === 1, 'the search result');
    await context.close();
  });
});

describe('the language', () => {
  const SIGRID = makeSyntheticNorwegianId(new Date('1990-01-20'), 321, 'tenor');

  it('is one choice: picked on the start page, it stays after login, in one order everywhere', async () => {
    const context = await session({ width: 360, height: 740 });
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/`);
    const startOrder = await page.locator('#login-language option').allTextContents();
    await page.getByLabel('Language').selectOption('da');
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByLabel('Another synthetic national identity number').fill(SIGRID);
    await page.getByRole('button', { name: 'Log in with this number' }).click();
    await page.getByRole('heading', { level: 1, name: 'Indbakke' }).waitFor();
    await api.waitFor(
      async () =>
        (
          await api
            .as(await stack.cli(['dev', 'token', '--citizen', SIGRID]))
            .get('/v1/mailbox/settings')
        ).body.language === 'da',
      'the choice saved to the mailbox',
    );
    await page.getByRole('link', { name: 'Indstillinger' }).click();
    await page.locator('#language').waitFor();
    expect(await page.locator('#language option').allTextContents()).toEqual(startOrder);
    await expectNavFits(page);
    // The start page after logging out speaks the mailbox's language too.
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.getByRole('button', { name: 'Log ind' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('da');
    await context.close();
  });
});

describe('an HTML letter', () => {
  const INGRID = makeSyntheticNorwegianId(new Date('2001-06-30'), 789, 'tenor');

  it('is shown sanitised in a sandbox: no scripts, no handlers, nothing fetched from elsewhere', async () => {
    const hostile =
      '<style>h1 { color: rgb(0, 128, 0) } @import url(https://tracker.example/x.css);</style>' +
      '<h1 id="ok">Vedtak</h1><p>Hei Ingrid</p><p id="own" style="color: rgb(200, 0, 0)">Egen stil</p>' +
      '<script>window.top.pwned = 1</script>' +
      '<img src="https://tracker.example/pixel.png" onerror="window.top.pwned = 2">' +
      '<p style="background:url(https://tracker.example/bg.png)">styled</p>' +
      '<a href="https://phishing.example/login">Logg inn her</a>' +
      '<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name="x"></form>';
    const sent = await agencyApi.post(
      '/v1/letters',
      {
        recipient: { nationalId: INGRID },
        title: 'HTML-brev',
        documents: [
          {
            filename: 'brev.html',
            mediaType: 'text/html',
            content: await sealFor(agency, platformKey, hostile),
          },
        ],
      },
      { 'idempotency-key': randomUUID() },
    );
    await agencyApi.waitForState(sent.body.id, 'delivered');
    const context = await session({ width: 1280, height: 800 });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('button', { name: /Log in|Logg inn/ }).click();
    await page.getByRole('button', { name: /^Ingrid Hansen/ }).click();
    await page.getByRole('link', { name: /HTML-brev/ }).click();
    const frame = page.locator('iframe[title="brev.html"]');
    await frame.waitFor();
    const srcdoc = (await frame.getAttribute('srcdoc')) ?? '';
    expect(srcdoc).toContain('Hei Ingrid');
    expect(srcdoc).not.toMatch(
      /<script|onerror|tracker\.example|phishing\.example|evil\.example|<form|<iframe/i,
    );
    expect(await frame.getAttribute('sandbox')).toBe('');
    // The download link must not open as HTML in the app's origin: its blob is opaque bytes.
    const link = page.getByRole('link', { name: /brev\.html/ });
    expect(await link.getAttribute('download')).toBe('brev.html');
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^blob:/);
    const downloaded = await page.evaluate(async (url) => {
      const blob = await (await fetch(url)).blob();
      return { type: blob.type, text: await blob.text() };
    }, href);
    expect(downloaded).toEqual({ type: 'application/octet-stream', text: hostile });
    // The letter's own styles apply inside the frame, under the page's own policy (no bypass
    // here: the frame inherits that policy, which refused inline styles before).
    const strict = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const strictPage = await strict.newPage();
    await strictPage.goto(`${stack.baseUrl}/letters/${sent.body.id}`);
    await strictPage.getByRole('button', { name: /Log in|Logg inn/ }).click();
    await strictPage.getByRole('button', { name: /^Ingrid Hansen/ }).click();
    const inner = strictPage.frameLocator('iframe[title="brev.html"]');
    await expect(
      inner.locator('h1').evaluate((el) => (globalThis as any).getComputedStyle(el).color),
    ).resolves.toBe('rgb(0, 128, 0)');
    await expect(
      inner.locator('#own').evaluate((el) => (globalThis as any).getComputedStyle(el).color),
    ).resolves.toBe('rgb(200, 0, 0)');
    await strict.close();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as any).pwned)).toBeUndefined();
    expect(
      requested.filter(
        (u) => !u.startsWith(stack.baseUrl) && !u.startsWith('blob:') && !u.startsWith('data:'),
      ),
    ).toEqual([]);
    await context.close();
  });
});

describe('the built client', () => {
  it('keeps the first load under 200 kB gzipped', () => {
    const report = JSON.parse(readFileSync(join(WEB_DIST, 'bundle-size.json'), 'utf8'));
    measured['first load, gzipped bytes'] = report.firstLoadGzipBytes;
    expect(report.firstLoadGzipBytes).toBeLessThan(200 * 1024);
  });

  it('is served with a strict content security policy, and leaves API paths alone', async () => {
    const page = await fetch(`${stack.baseUrl}/letters/00000000-0000-0000-0000-000000000000`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const apiMiss = await fetch(`${stack.baseUrl}/v1/nothing-here`);
    expect(apiMiss.status).toBe(404);
    expect(apiMiss.headers.get('content-type')).toContain('problem+json');
  });
});
