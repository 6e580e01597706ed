import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { makeSyntheticNorwegianId } from '#identity';
import { sealFor } from '../support/agency';
import { Stack } from '../support/stack';
import {
  expectAccessible,
  expectNavFits,
  startBrowserWorld,
  type BrowserWorld,
  PHONE,
  session,
  shot,
  titled,
} from './browser-support';

jest.setTimeout(120_000);

// Demo accounts of the development issuer (apps/api/src/dev-oidc/demo-accounts.ts).
const KARI = makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor');
const OLA = makeSyntheticNorwegianId(new Date('1979-10-02'), 456, 'tenor');
const INGRID = makeSyntheticNorwegianId(new Date('2001-06-30'), 789, 'tenor');
// Kari's son: a minor for years to come, so she is his guardian.
const SON = makeSyntheticNorwegianId(new Date('2016-04-11'), 222, 'tenor');
const ACME = '974760673';

const stack = new Stack();
let world: BrowserWorld;

beforeAll(async () => {
  world = await startBrowserWorld(stack, 'NAV');
});

afterAll(async () => {
  await world?.browser.close();
  await stack.stop();
});

async function send(recipient: object, title: string, text: string, extra: object = {}) {
  const response = await world.agencyApi.post(
    '/v1/letters',
    {
      recipient,
      title,
      requiresAcknowledgement: true,
      documents: [
        {
          filename: 'brev.txt',
          mediaType: 'text/plain',
          content: await sealFor(world.agency, world.platformKey, text),
        },
      ],
      ...extra,
    },
    { 'idempotency-key': randomUUID() },
  );
  expect(response.status).toBe(202);
  await world.agencyApi.waitForState(response.body.id, 'delivered');
  return response.body.id as string;
}

const NAMES: Record<string, string> = {
  [KARI]: 'Kari Nordmann',
  [OLA]: 'Ola Nordmann',
  [INGRID]: 'Ingrid Hansen',
};
// The API keeps the name a person's latest token carries: these say the same as the issuer's.
const citizen = async (nationalId: string) =>
  world.api.as(
    await stack.cli(['dev', 'token', '--citizen', nationalId, '--name', NAMES[nationalId]!]),
  );

/** Logs a demo citizen in; their mailbox speaks English, as the texts below expect. */
async function logIn(context: BrowserContext, nationalId: string, name: RegExp): Promise<Page> {
  const own = await citizen(nationalId);
  expect((await own.request('PUT', '/v1/mailbox/settings', { language: 'en' })).status).toBe(200);
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/`);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name }).click();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
  return page;
}

describe('access to my post, given by its owner to someone they trust', () => {
  let ingrid: BrowserContext;
  let ola: BrowserContext;
  let ingridPage: Page;
  let olaPage: Page;
  let letterId: string;

  beforeAll(async () => {
    letterId = await send({ nationalId: INGRID }, 'Vedtak om studielån', 'Du får studielån.');
    [ingrid, ola] = await Promise.all([
      session(world.browser, PHONE),
      session(world.browser, PHONE),
    ]);
    // Ola has logged in once, so Ingrid's list can name him.
    olaPage = await logIn(ola, OLA, /^Ola Nordmann/);
    ingridPage = await logIn(ingrid, INGRID, /^Ingrid Hansen/);
  });

  afterAll(async () => {
    await Promise.all([ingrid?.close(), ola?.close()]);
  });

  it('gives read access by national id, and lists who has it', async () => {
    const page = ingridPage;
    await page.getByRole('link', { name: 'Access to my post' }).click();
    await page.getByRole('heading', { level: 1, name: 'Access to my post' }).waitFor();
    await page.getByText('Nobody else has access.').waitFor();
    await expectNavFits(page, 7);
    // A wrong number is refused in the form, with what to write instead.
    await page.getByLabel('Their national identity number').fill('1234');
    await page.getByRole('button', { name: 'Give access' }).click();
    await page
      .getByRole('alert')
      .getByText(/11 digits/)
      .waitFor();
    await page.getByLabel('Their national identity number').fill(OLA);
    await page.getByLabel('Read letters only').check();
    await page.getByLabel('Access ends on (optional)').fill('2031-12-31');
    await page.getByRole('button', { name: 'Give access' }).click();
    await page.getByText('Access was given.').waitFor();
    const item = page.locator('ul.grants > li');
    await world.api.waitFor(async () => (await item.count()) === 1, 'the new grant in the list');
    await expect(item.textContent()).resolves.toMatch(/Ola Nordmann.*Read only.*until/s);
    await expectAccessible(page, 'phone access to my post');
    await shot(page, 'phone-access-to-my-post');
  });

  it("lets the delegate switch to the owner's post, read it, and offers no writing", async () => {
    const page = olaPage;
    // A fresh load asks GET /v1/me again: the new grant is there.
    await page.goto(`${stack.baseUrl}/`);
    const switcher = page.getByLabel('Whose post');
    await switcher.waitFor();
    const options = await switcher.locator('option').allTextContents();
    expect(options).toEqual(['Your post', 'Ingrid Hansen (you have been given access)']);
    await switcher.selectOption({ label: 'Ingrid Hansen (you have been given access)' });
    await expect(page.getByTestId('whose-post').textContent()).resolves.toMatch(
      /Post for Ingrid Hansen.*you have been given access.*Read only/s,
    );
    await page.getByRole('link', { name: /Vedtak om studielån/ }).click();
    await page.getByText('Du får studielån.').waitFor();
    await page.getByText(/your access is read-only/).waitFor();
    for (const action of ['Archive', 'Delete', 'Mark as unread', 'Confirm that I have read it'])
      await expect(page.getByRole('button', { name: action, exact: true }).count()).resolves.toBe(
        0,
      );
    await page.getByText(/With read-only access you cannot confirm it/).waitFor();
    // Settings and the grants are the owner's: not in a delegate's menu for her mailbox.
    await expectNavFits(page, 5);
    await expectAccessible(page, 'phone delegate reading');
    await shot(page, 'phone-delegate-letter');
    // The API agrees: reading was allowed, writing is not.
    const grants = (await (await citizen(OLA)).get('/v1/me')).body.mailboxes;
    const shared = grants.find((m: { name: string }) => m.name === 'Ingrid Hansen');
    const write = await (
      await citizen(OLA)
    ).post(`/v1/mailboxes/${shared.id}/letters/${letterId}/acknowledge`, {});
    expect(write.status).toBe(403);
  });

  it("shows the delegate's reading in the owner's access log, with the role", async () => {
    const page = ingridPage;
    await page.getByRole('link', { name: 'Who has looked at my data' }).click();
    const entry = page.locator('ol.access-log > li', { hasText: 'Ola Nordmann' }).first();
    await entry.waitFor();
    await expect(entry.textContent()).resolves.toMatch(/Given access/);
    await expectAccessible(page, 'phone access log with a delegate');
  });

  it('takes the access back: gone from the list and, at once, from the delegate', async () => {
    const page = ingridPage;
    await page.getByRole('link', { name: 'Access to my post' }).click();
    await page.getByRole('button', { name: 'Take back access from Ola Nordmann' }).click();
    await page.getByText('Access for Ola Nordmann was taken back.').waitFor();
    await page.getByText('Nobody else has access.').waitFor();
    const me = (await (await citizen(OLA)).get('/v1/me')).body;
    expect(me.mailboxes.map((m: { role: string }) => m.role)).toEqual(['owner']);
    await olaPage.goto(`${stack.baseUrl}/`);
    await olaPage.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await expect(olaPage.getByLabel('Whose post').count()).resolves.toBe(0);
  });
});

describe('a guardian and an organisation administrator', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await stack.cli(['guardian', 'add', '--guardian', KARI, '--minor', SON]);
    await stack.cli(['org', 'create', '--number', ACME, '--name', 'Acme AS', '--admin', KARI]);
    await send(
      { nationalId: SON },
      'Innkalling til helsekontroll',
      'Velkommen til skolehelsetjenesten.',
    );
    await send({ organisationNumber: ACME }, 'Faktura 2031-118', 'Betal innen 30 dager.');
    await send({ organisationNumber: ACME }, 'Personalsak', 'Fortrolig innhold.', {
      confidential: true,
    });
    context = await session(world.browser, PHONE);
    page = await logIn(context, KARI, /^Kari Nordmann/);
  });

  afterAll(() => context?.close());

  it("opens her son's post as guardian, and may confirm his letters", async () => {
    const switcher = page.getByLabel('Whose post');
    await switcher.waitFor();
    const options = await switcher.locator('option').allTextContents();
    expect(options[0]).toBe('Your post');
    expect(options).toContain('Acme AS');
    const guardian = options.find((o) => o.endsWith('(you are guardian)'));
    expect(guardian).toBeDefined();
    await switcher.selectOption({ label: guardian! });
    await expect(page.getByTestId('whose-post').textContent()).resolves.toMatch(
      /Post for .*you are guardian.*Read and act/s,
    );
    await page.getByRole('link', { name: titled('Innkalling til helsekontroll') }).click();
    await page.getByText('Velkommen til skolehelsetjenesten.').waitFor();
    const confirm = page.getByRole('button', { name: 'Confirm that I have read it' });
    await world.api.waitFor(() => confirm.isEnabled(), 'the confirm button to be enabled');
    await expectAccessible(page, 'phone guardian letter');
    await shot(page, 'phone-switcher-guardian');
    await confirm.click();
    await page.getByText(/You confirmed on/).waitFor();
    // A reload keeps the son's post open, and says so.
    await page.reload();
    await expect(page.getByTestId('whose-post').textContent()).resolves.toMatch(/you are guardian/);
  });

  it("manages the organisation's employees and its notification address, confidential letters marked", async () => {
    await page.getByLabel('Whose post').selectOption({ label: 'Acme AS' });
    await page.getByRole('link', { name: /Personalsak/ }).waitFor();
    await expect(page.getByRole('link', { name: /Personalsak/ }).textContent()).resolves.toMatch(
      /Confidential/,
    );
    await page.getByRole('link', { name: 'Organisation' }).click();
    await page.getByRole('heading', { level: 1, name: /Acme AS/ }).waitFor();
    await page.getByLabel('Their national identity number').fill(OLA);
    await page.getByLabel('Read letters, confirm them, file and delete them').check();
    await page.getByLabel('May read confidential letters').check();
    await page.getByRole('button', { name: 'Give an employee access' }).click();
    await page.getByText('Access was given.').waitFor();
    await expect(page.locator('ul.grants > li').first().textContent()).resolves.toMatch(
      /Read and act.*Confidential letters too/s,
    );
    await page.getByLabel('The organisation’s email for notifications').fill('post@acme.test');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Your settings were saved.').waitFor();
    await expectAccessible(page, 'phone organisation page');
    await shot(page, 'phone-organisation');
    const acme = (await (await citizen(KARI)).get('/v1/me')).body.mailboxes.find(
      (m: { name: string }) => m.name === 'Acme AS',
    );
    const settings = await (await citizen(KARI)).get(`/v1/mailboxes/${acme.id}/settings`);
    expect(settings.body.notificationEmail).toBe('post@acme.test');
  });
});
