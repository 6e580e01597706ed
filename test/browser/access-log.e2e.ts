import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { makeSyntheticNorwegianId } from '#identity';
import { en } from '../../apps/web/src/messages/en';
import { createAgency } from '../support/agency';
import type { ApiClient } from '../support/http';
import { Stack } from '../support/stack';
import {
  expectAccessible,
  logIn,
  expectNavFits,
  PHONE,
  session,
  shot,
  startBrowserWorld,
  type BrowserWorld,
} from './browser-support';

/**
 * Issue 17 in the browser: the access log with an agency's lookup, its notice (data, legal basis,
 * system) and an entry withheld by another agency and released a few seconds later; the
 * filters narrowing the list; the inclusion check in the browser passed; the notification
 * choice saved; axe at 360 px in all three languages.
 */
jest.setTimeout(120_000);

const KARI = makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor');
// The texts the test reads in each language (nb.ts and da.ts are the client's ESM modules).
type Texts = Pick<
  typeof en,
  'settings' | 'accessLog' | 'save' | 'accessNotifications' | 'released' | 'inclusionOk'
>;
const MESSAGES: Record<'en' | 'nb' | 'da', Texts> = {
  en,
  nb: {
    settings: 'Innstillinger',
    accessLog: 'Hvem har sett på mine data',
    save: 'Lagre endringene',
    accessNotifications: 'Si fra når opplysningene mine brukes',
    released: 'Frigitt',
    inclusionOk:
      'Sjekket: alle {count} oppføringene er i den offentlige loggen (trehode av størrelse {size}, signert {time}).',
  },
  da: {
    settings: 'Indstillinger',
    accessLog: 'Hvem har set mine data',
    save: 'Gem ændringerne',
    accessNotifications: 'Sig til, når mine oplysninger bruges',
    released: 'Frigivet',
    inclusionOk:
      'Kontrolleret: alle {count} indførsler er i den offentlige log (træhoved af størrelse {size}, signeret {time}).',
  },
};
const stack = new Stack();
let world: BrowserWorld;
let kari: ApiClient;
let context: BrowserContext;
let page: Page;

const entries = () => page.locator('ol.access-log > li');

/** The "Checked: all N entries…" sentence of a language, with its size and time left open. */
function checkedText(language: keyof typeof MESSAGES, count: number): RegExp {
  const escaped = MESSAGES[language].inclusionOk.replace(/[.*+?^$()[\]\\|]/g, '\\$&');
  return new RegExp(
    escaped.replace('{count}', String(count)).replace('{size}', '\\d+').replace('{time}', '.+'),
  );
}

function notices(client: ApiClient, items: object[]) {
  return client.post('/v1/access-notices', { notices: items }, { 'idempotency-key': randomUUID() });
}

beforeAll(async () => {
  world = await startBrowserWorld(stack, 'Skatteetaten', { TREE_HEAD_INTERVAL_MS: '500' });
  const police = await createAgency(stack, 'Politiet');
  await stack.cli([
    'agency',
    'allow-withholding',
    '--agency',
    police.id,
    '--legal-basis',
    'Police Act § 24',
  ]);
  kari = world.api.as(
    await stack.cli(['dev', 'token', '--citizen', KARI, '--name', 'Kari Nordmann']),
  );
  expect((await kari.request('PUT', '/v1/mailbox/settings', { language: 'en' })).status).toBe(200);

  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const lookup = await world.agencyApi.post('/v1/recipients/lookup', {
    nationalIds: [KARI],
    purpose: 'Checking the address',
  });
  expect(lookup.status).toBe(200);
  const told = await notices(world.agencyApi, [
    {
      nationalId: KARI,
      action: 'stored',
      dataCategory: 'income',
      purpose: 'Tax assessment 2025',
      legalBasis: 'Tax Administration Act § 5-1',
      system: 'Skattekort',
      at: hourAgo,
    },
  ]);
  expect(told.status).toBe(202);
  const withheld = await notices(world.api.as(police.apiKey), [
    {
      nationalId: KARI,
      action: 'shared',
      dataCategory: 'address',
      purpose: 'Case 17',
      legalBasis: 'Police Act § 24',
      at: hourAgo,
      withheldUntil: new Date(Date.now() + 4_000).toISOString(),
      withholdReason: 'An ongoing investigation',
    },
  ]);
  expect(withheld.status).toBe(202);
  // Hidden until its time, then released with every leaf in the log.
  expect((await kari.get('/v1/mailbox/access-log')).body.items).toHaveLength(2);
  await kari.waitFor(async () => {
    const evidence = (await kari.get('/v1/mailbox/access-log/evidence')).body;
    return evidence.entries.length === 3 && evidence.leaves.length === 3 ? evidence : undefined;
  }, 'the released entry and three leaves');

  context = await session(world.browser, PHONE);
  page = await context.newPage();
  await logIn(page, stack.baseUrl, /^Kari Nordmann/);
});

afterAll(async () => {
  await context?.close();
  await world?.browser.close();
  await stack.stop();
});

describe('the access log in the browser', () => {
  it('shows the notice with its details and the released entry with its reason, checked against the log', async () => {
    await page.getByRole('link', { name: en.accessLog }).click();
    await page.getByText(checkedText('en', 3)).waitFor();
    expect(await entries().count()).toBe(3);
    const released = entries().filter({ hasText: 'Politiet' });
    await expect(released.locator('.mark.released').textContent()).resolves.toBe('Released');
    await expect(released.textContent()).resolves.toMatch(/Reason: An ongoing investigation/);
    const stored = entries().filter({ hasText: 'Stored data about you' });
    const details = await stored.locator('dd').allTextContents();
    expect(details).toEqual(
      expect.arrayContaining(['income', 'Tax Administration Act § 5-1', 'Skattekort']),
    );
    await expectAccessible(page, 'phone access log with notices');
    await expectNavFits(page, 7);
    await shot(page, 'phone-access-log-notices');
  });

  it('narrows the list by who, what and when', async () => {
    await page.getByLabel('Who').selectOption('notice');
    expect(await entries().count()).toBe(2);
    await page.getByLabel('What', { exact: true }).selectOption('notice.shared');
    expect(await entries().count()).toBe(1);
    await expect(entries().first().textContent()).resolves.toMatch(/Politiet/);
    await page.getByLabel('Who').selectOption('all');
    await page.getByLabel('What', { exact: true }).selectOption('');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(tomorrow);
    expect(await entries().count()).toBe(0);
    await page.getByLabel('From').fill('');
    expect(await entries().count()).toBe(3);
    await page.getByText('Showing 3 of the 3 entries loaded.').waitFor();
  });

  it('saves the choice of access notifications', async () => {
    await page.getByRole('link', { name: en.settings }).click();
    await page.getByLabel(en.accessNotifications).selectOption('weekly');
    await expectAccessible(page, 'phone settings with access notifications');
    await page.getByRole('button', { name: en.save }).click();
    await page.getByText(en.saved).waitFor();
    expect((await kari.get('/v1/mailbox/settings')).body.accessNotifications).toBe('weekly');
  });

  it.each(['nb', 'da'] as const)('reads the same in %s, axe-clean', async (language) => {
    const current = (await kari.get('/v1/mailbox/settings')).body.language as keyof typeof MESSAGES;
    await page.getByRole('link', { name: MESSAGES[current].settings }).click();
    await page.locator('#language').selectOption(language);
    await page.getByRole('button', { name: MESSAGES[current].save }).click();
    const t = MESSAGES[language];
    await page.getByRole('heading', { level: 1, name: t.settings }).waitFor();
    await expect(page.getByLabel(t.accessNotifications).inputValue()).resolves.toBe('weekly');
    await page.getByRole('link', { name: t.accessLog }).click();
    await page.getByText(checkedText(language, 3)).waitFor();
    await expect(page.locator('.mark.released').textContent()).resolves.toBe(t.released);
    await expectAccessible(page, `phone access log in ${language}`);
    await expectNavFits(page, 7);
  });

  it('names the leaf of an entry removed from the database', async () => {
    const db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      const [lookup] = (await kari.get('/v1/mailbox/access-log')).body.items.filter(
        (e: { action: string }) => e.action === 'recipient.lookup',
      );
      await db.query('DELETE FROM access_log WHERE id = $1', [lookup.id]);
    } finally {
      await db.end();
    }
    await page.getByRole('link', { name: MESSAGES.da.settings }).click();
    await page.getByRole('link', { name: MESSAGES.da.accessLog }).click();
    await page
      .getByText(/^Kontrollen fejlede: leaf \d+ has no entry: an entry was removed/)
      .waitFor({ timeout: 15_000 });
    expect(await entries().count()).toBe(2);
    await expectAccessible(page, 'phone access log with a failed check');
  });
});
