import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import { v7 as uuidv7 } from 'uuid';
import { generateApiKey, SCOPES } from '#auth';
import { encryptAndSignForPlatform, readSigningKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { MailboxesStore, Sql } from '#stores';
import type { Api } from './api';
import { agenciesOf, type CliContext } from './context';

export interface DemoState {
  agencyId: string;
  agencyName: string;
  apiKey: string;
  signingKeyFile: string;
  citizens: { name: string; nationalId: string }[];
  lettersSent: boolean;
  /** Added later than the rest: a state file written before has neither. */
  organisation?: { name: string; organisationNumber: string };
  organisationLettersSent?: boolean;
}

/** A real organisation number (valid mod-11), so a Norwegian deployment accepts it. */
const DEMO_ORGANISATION = { name: 'Brønnøysundregistrene (demo)', organisationNumber: '974760673' };

const DEMO_ORGANISATION_LETTERS = [
  {
    title: 'Årsregnskap for 2025 er mottatt',
    text: 'Vi har mottatt årsregnskapet for 2025.',
    confidential: false,
  },
  {
    title: 'Varsel om bokettersyn',
    text: 'Vi varsler bokettersyn i februar.\nBrevet er bare for dem med tilgang til fortrolig post.',
    confidential: true,
  },
];

const DEMO_CITIZENS = [
  {
    name: 'Kari Nordmann',
    nationalId: makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor'),
  },
  {
    name: 'Ola Nordmann',
    nationalId: makeSyntheticNorwegianId(new Date('1979-10-02'), 456, 'tenor'),
  },
  {
    name: 'Ingrid Hansen',
    nationalId: makeSyntheticNorwegianId(new Date('2001-06-30'), 789, 'tenor'),
  },
];

const DEMO_LETTERS = [
  {
    to: 0,
    title: 'Skattemelding for 2025',
    text: 'Skattemeldingen din for 2025 er klar.\nFrist for endringer er 30. april.',
    ack: false,
  },
  {
    to: 0,
    title: 'Vedtak om bostøtte',
    text: 'Du har fått innvilget bostøtte fra 1. desember.\nBekreft at du har lest vedtaket.',
    ack: true,
  },
  {
    to: 1,
    title: 'Innkalling til time',
    text: 'Du er innkalt til samtale 4. januar kl. 10.00.',
    ack: false,
  },
];

/**
 * `dev seed`: a demo agency with a signing key and an API key, three citizens, an organisation
 * and a few letters,
 * sent through the running API like an agency would. Safe to run again: it only adds what is missing.
 */
export async function seedCommand(ctx: CliContext, api: Api): Promise<void> {
  if (ctx.config.env === 'production') throw new Error('dev seed is for development only');
  const stateFile = resolve('.secrets/demo.json');
  mkdirSync(dirname(stateFile), { recursive: true, mode: 0o700 });
  const agencies = await agenciesOf(ctx);
  let state: DemoState | null = existsSync(stateFile)
    ? (JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState)
    : null;
  if (state && !(await agencies.exists(state.agencyId))) state = null;
  if (!state) {
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Skatteetaten (demo)', email: 'demo@skatteetaten.example' }],
      format: 'armored',
    });
    const signingKeyFile = resolve(dirname(stateFile), 'demo-agency-signing-key.asc');
    writeFileSync(signingKeyFile, privateKey, { mode: 0o600 });
    const agencyId = uuidv7();
    const key = await readSigningKey(publicKey);
    const { key: apiKey, hash } = generateApiKey();
    await agencies.create({
      id: agencyId,
      name: 'Skatteetaten (demo)',
      signingKey: key,
      apiKey: { hash, scopes: SCOPES },
    });
    state = {
      agencyId,
      agencyName: 'Skatteetaten (demo)',
      apiKey,
      signingKeyFile,
      citizens: DEMO_CITIZENS,
      lettersSent: false,
    };
    writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  }
  if (!state.lettersSent) {
    // Demo citizens have a confirmed address, so the notifications show in the mail catcher.
    const directory = (await ctx.root()).mailboxes;
    const { manager } = await ctx.db();
    for (const citizen of state.citizens) {
      const mailbox = await directory.findOrCreate(manager, citizen.nationalId);
      const email = `${citizen.name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.test`;
      await agencies.setConfirmedNotificationEmail(mailbox.id, email);
    }
    for (const letter of DEMO_LETTERS) {
      await sendDemoLetter(api, state, {
        recipient: { nationalId: state.citizens[letter.to].nationalId },
        title: letter.title,
        text: letter.text,
        requiresAcknowledgement: letter.ack,
      });
    }
    state.lettersSent = true;
    writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  }
  if (!state.organisationLettersSent) {
    await seedOrganisation(ctx, api, state);
    state.organisation = DEMO_ORGANISATION;
    state.organisationLettersSent = true;
    writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  }
  console.log(JSON.stringify(state));
}

/**
 * A demo organisation with a name and a confirmed address, and two letters to it, one of them
 * confidential (whose email goes only to people with confidential access, none until an
 * administrator grants it).
 */
async function seedOrganisation(ctx: CliContext, api: Api, state: DemoState): Promise<void> {
  const { manager } = await ctx.db();
  const mailbox = await (
    await ctx.root()
  ).mailboxes.findOrCreateOrganisation(manager, DEMO_ORGANISATION.organisationNumber);
  await new MailboxesStore(new Sql(manager)).setDisplayName(mailbox.id, DEMO_ORGANISATION.name);
  await (
    await agenciesOf(ctx)
  ).setConfirmedNotificationEmail(mailbox.id, 'post@brreg.example.test');
  for (const letter of DEMO_ORGANISATION_LETTERS) {
    await sendDemoLetter(api, state, {
      recipient: { organisationNumber: DEMO_ORGANISATION.organisationNumber },
      title: letter.title,
      text: letter.text,
      confidential: letter.confidential,
    });
  }
}

async function sendDemoLetter(
  api: Api,
  state: DemoState,
  letter: {
    recipient: { nationalId: string } | { organisationNumber: string };
    title: string;
    text: string;
    requiresAcknowledgement?: boolean;
    confidential?: boolean;
  },
): Promise<void> {
  const content = await encryptAndSignForPlatform(Buffer.from(letter.text), {
    platformPublicKey: await api.platformKey(),
    signingPrivateKey: readFileSync(state.signingKeyFile, 'utf8'),
  });
  await api.json('/v1/letters', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${state.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify({
      recipient: letter.recipient,
      title: letter.title,
      documents: [{ filename: 'brev.txt', mediaType: 'text/plain', content }],
      requiresAcknowledgement: letter.requiresAcknowledgement ?? false,
      confidential: letter.confidential ?? false,
    }),
  });
}
