import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { BrowserContext, Page } from 'playwright-core';
import { makeSyntheticNorwegianId } from '#identity';
import { generateAgencyKey, sealFor } from '../support/agency';
import { Stack } from '../support/stack';
import {
  expectAccessible,
  logIn,
  PHONE,
  session,
  shot,
  startBrowserWorld,
  type BrowserWorld,
} from './browser-support';

/**
 * Issue 18 in the browser: the citizen answers a letter with a text and an attachment, which
 * the client encrypts to the agency's key; the agency opens both with its private key; the
 * citizen's receipt, downloaded from the conversation, verifies offline with the CLI; the Sent
 * folder, a new message to an agency on a topic, and the agency's answer in the thread.
 */
jest.setTimeout(120_000);

const KARI = makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor');
const dir = mkdtempSync(join(tmpdir(), 'postkasse-web-replies-'));
const stack = new Stack();
let world: BrowserWorld;
let agencyKey: { privateKey: string; publicKey: string };
let context: BrowserContext;
let page: Page;
let letterId: string;

async function decrypt(base64: string): Promise<Uint8Array> {
  const { data } = await openpgp.decrypt({
    message: await openpgp.readMessage({ binaryMessage: Buffer.from(base64, 'base64') }),
    decryptionKeys: await openpgp.readPrivateKey({ armoredKey: agencyKey.privateKey }),
    format: 'binary',
  });
  return data as Uint8Array;
}

async function letter(title: string, extra: object) {
  const sent = await world.agencyApi.post(
    '/v1/letters',
    {
      recipient: { nationalId: KARI },
      title,
      documents: [
        {
          filename: 'vedtak.txt',
          mediaType: 'text/plain',
          content: await sealFor(world.agency, world.platformKey, `${title}: les vedtaket.`),
        },
      ],
      ...extra,
    },
    { 'idempotency-key': randomUUID() },
  );
  expect(sent.status).toBe(202);
  await world.agencyApi.waitForState(sent.body.id, 'delivered');
  return sent.body.id as string;
}

beforeAll(async () => {
  // A signed tree head every second, so the receipt's proof comes while the test waits.
  world = await startBrowserWorld(stack, 'Husbanken', { TREE_HEAD_INTERVAL_MS: '1000' });
  agencyKey = await generateAgencyKey();
  const keyFile = join(dir, 'encryption.asc');
  writeFileSync(keyFile, agencyKey.publicKey);
  const id = world.agency.id;
  await stack.cli(['agency', 'add-encryption-key', '--agency', id, '--key', keyFile]);
  await stack.cli(['agency', 'set-topics', '--agency', id, '--topics', 'bostotte,startlan']);
  const kari = world.api.as(
    await stack.cli(['dev', 'token', '--citizen', KARI, '--name', 'Kari Nordmann']),
  );
  expect((await kari.request('PUT', '/v1/mailbox/settings', { language: 'en' })).status).toBe(200);
  letterId = await letter('Vedtak om bostøtte', { replies: { allowed: true } });
  context = await session(world.browser, PHONE);
  page = await context.newPage();
  await logIn(page, stack.baseUrl, /^Kari Nordmann/);
});

afterAll(async () => {
  await context?.close();
  await world?.browser.close();
  await stack.stop();
});

describe('a reply to a letter, written in the browser', () => {
  let replyId: string;

  it('is encrypted to the agency with its attachment, and the agency opens both', async () => {
    await page.getByRole('link', { name: /Vedtak om bostøtte/ }).click();
    await page.getByText('Vedtak om bostøtte: les vedtaket.').waitFor();
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    await page.getByLabel('Your text').fill('Jeg klager på vedtaket.');
    await page.getByLabel('Attach files (optional)').setInputFiles({
      name: 'husleie.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('måned;beløp\njanuar;9800\n'),
    });
    await expectAccessible(page, 'phone reply composer');
    await shot(page, 'phone-reply');
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await page.getByText(/Your reply was sent to Husbanken/).waitFor();

    const feed = await world.agencyApi.waitFor(async () => {
      const r = await world.agencyApi.get('/v1/replies');
      return r.body.items.length ? r.body.items : undefined;
    }, 'the reply in the agency feed');
    replyId = feed[0].id;
    expect(feed[0]).toMatchObject({ letterId, writtenAs: 'owner' });
    const reply = (await world.agencyApi.get(`/v1/replies/${replyId}`)).body;
    expect(reply.documents.map((d: { filename: string }) => d.filename)).toEqual([
      'reply.txt',
      'husleie.csv',
    ]);
    const [text, attachment] = await Promise.all(
      reply.documents.map((d: { content: string }) => decrypt(d.content)),
    );
    expect(Buffer.from(text!).toString()).toBe('Jeg klager på vedtaket.');
    expect(Buffer.from(attachment!).toString()).toBe('måned;beløp\njanuar;9800\n');
  });

  it('shows the reply in the conversation with a receipt that verifies offline', async () => {
    const thread = page.locator('section.thread');
    const link = thread.getByRole('link', { name: 'Download the receipt' });
    await link.waitFor();
    await expect(thread.textContent()).resolves.toMatch(/To Husbanken.*reply\.txt.*husleie\.csv/s);
    const receipt = await page.evaluate(
      async (url) => (await fetch(url)).text(),
      (await link.getAttribute('href'))!,
    );
    const file = join(dir, 'receipt.json');
    writeFileSync(file, receipt);
    const verified = await stack.cli([
      'evidence',
      'verify-receipt',
      file,
      '--key',
      `${stack.baseUrl}/v1/platform/keys`,
    ]);
    expect(verified).toMatch(new RegExp(`^OK: reply_received receipt of letter ${letterId}`));
    await expectAccessible(page, 'phone conversation');
  });

  it("shows the agency's answer in the thread, and the answer points back", async () => {
    const answer = await letter('Svar på klagen', { inReplyTo: replyId });
    await page.reload();
    const thread = page.locator('section.thread');
    await thread.getByRole('link', { name: 'Svar på klagen' }).click();
    await page.getByText(/This letter answers your reply of/).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/letters/${answer}`);
    await page.getByRole('link', { name: 'Show the conversation' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vedtak om bostøtte' }).waitFor();
  });
});

describe('the Sent folder and a new message', () => {
  it('lists what was sent, and sends a message to an agency on one of its topics', async () => {
    await page.getByRole('link', { name: 'Sent', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Sent' }).waitFor();
    await page.getByText('The letter you answered').waitFor();
    await page.getByRole('link', { name: 'Write to an agency' }).click();
    await page.getByLabel('Agency').selectOption({ label: 'Husbanken' });
    await page.getByLabel('Topic').selectOption('startlan');
    await page.getByLabel('Your text').fill('Kan jeg søke om startlån?');
    await expectAccessible(page, 'phone write to an agency');
    await page.getByRole('button', { name: 'Encrypt and send the message' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sent' }).waitFor();
    const first = page.locator('ol.sent-list > li').first();
    await expect(first.textContent()).resolves.toMatch(/To Husbanken.*startlan/s);
    await expectAccessible(page, 'phone sent');
    await shot(page, 'phone-sent');
    const feed = (await world.agencyApi.get('/v1/replies')).body.items;
    const message = feed.find((r: { topic: string | null }) => r.topic === 'startlan');
    const opened = (await world.agencyApi.get(`/v1/replies/${message.id}`)).body;
    expect(Buffer.from(await decrypt(opened.documents[0].content)).toString()).toBe(
      'Kan jeg søke om startlån?',
    );
  });
});
