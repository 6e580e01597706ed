import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createAgency, platformPublicKey, type TestAgency } from '../support/agency';
import { ApiClient } from '../support/http';
import { ROOT, type Stack } from '../support/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// TOOLCHAIN.md: Debian's Chromium, headless, with nothing that reaches out to the network.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The README shows docs/screenshots; a run refreshes them only when asked, so that every test run
// does not rewrite tracked files (UPDATE_SCREENSHOTS=1 npm test).
const SCREENSHOTS = join(
  ROOT,
  process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test/artifacts/screenshots',
);
export const WEB_DIST = join(ROOT, 'apps/web/dist');
const AXE = require.resolve('axe-core/axe.min.js');

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** WCAG 2.1 A and AA rules of axe-core, on the page as it is now: no violations allowed. */
export async function expectAccessible(page: Page, screen: string) {
  await page.addScriptTag({ path: AXE });
  // Runs in the page; globalThis there is the window.
  const result = await page.evaluate(() => {
    const g = globalThis as any;
    return g.axe.run(g.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
  });
  const violations = (result.violations as any[]).map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`,
  );
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

export function session(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<BrowserContext> {
  return browser.newContext({
    viewport,
    locale: 'en-GB',
    // axe-core is injected as an inline script, which the client's own policy forbids.
    bypassCSP: true,
    ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}),
  });
}

/** Nothing scrolls sideways, and every item of the main menu is inside the screen. */
export async function expectNavFits(page: Page, count: number) {
  const layout = await page.evaluate(() => {
    const g = globalThis as any;
    const width = g.document.documentElement.clientWidth;
    const links = [...g.document.querySelectorAll('header nav a')] as any[];
    return {
      scrolls: g.document.documentElement.scrollWidth > width,
      outside: links
        .filter((a) => {
          const box = a.getBoundingClientRect();
          return box.left < 0 || box.right > width || box.width === 0;
        })
        .map((a) => a.textContent),
      count: links.length,
    };
  });
  expect(layout).toEqual({ scrolls: false, outside: [], count });
}

/** A title as a pattern for a link's accessible name (brackets in it are any character). */
export const titled = (title: string) => new RegExp(title.replace(/[()]/g, '.'));

export interface BrowserWorld {
  browser: Browser;
  api: ApiClient;
  agency: TestAgency;
  agencyApi: ApiClient;
  platformKey: string;
}

/** The built client, the real API and worker on a database of their own, Chromium and one agency. */
export async function startBrowserWorld(
  stack: Stack,
  agencyName: string,
  env: NodeJS.ProcessEnv = {},
): Promise<BrowserWorld> {
  if (!existsSync(join(WEB_DIST, 'index.html')))
    throw new Error('apps/web/dist is missing: npm run build:web');
  const [browser] = await Promise.all([launchChromium(), stack.start(env)]);
  const api = new ApiClient(stack.baseUrl);
  const agency = await createAgency(stack, agencyName);
  return {
    browser,
    api,
    agency,
    agencyApi: api.as(agency.apiKey),
    platformKey: await platformPublicKey(stack),
  };
}

/** Logs in through the development issuer's account picker and waits for the inbox. */
export async function logIn(page: Page, baseUrl: string, name: string | RegExp): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name }).click();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
}
