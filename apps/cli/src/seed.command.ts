import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import { v7 as uuidv7 } from 'uuid';
import { generateApiKey, SCOPES } from '#auth';
import { encryptAndSignForPlatform, readEncryptionKey, readSigningKey } from '#crypto';
import { DEMO_ORGANISATION, DEMO_PEOPLE } from '#identity';
import { MailboxesStore, Sql } from '#stores';
import type { Api } from './api';
import { agenciesOf, type CliContext } from './context';

export interface DemoState {
  agencyId: string;
  agencyName: string;
  apiKey: string;
  signingKeyFile: string;
  /** The private key replies to the demo agency are encrypted to (`reply open --key`). */
  encryptionKeyFile?: string;
  citizens: { name: string; nationalId: string }[];
  lettersSent: boolean;
  /** Added later than the rest: a state file written before has neither. */
  organisation?: { name: string; organisationNumber: string };
  organisationLettersSent?: boolean;
  /** The demo's grants (delegate, guardian, executor, organisation) are set up. */
  rolesGranted?: boolean;
}

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

const P = DEMO_PEOPLE;
/** Those the demo sends letters to (the minor's and the deceased's are read by others). */
const DEMO_CITIZENS = [P.kari, P.ola, P.ingrid, P.minor, P.deceased].map((p) => ({
  name: p.name,
  nationalId: p.nationalId,
}));

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
    replies: true,
  },
  {
    to: 1,
    title: 'Innkalling til time',
    text: 'Du er innkalt til samtale 4. januar kl. 10.00.',
    ack: false,
  },
  { to: 3, title: 'Plass i skolefritidsordningen', text: 'Emma har fått plass i SFO.', ack: true },
  {
    to: 4,
    title: 'Skatteoppgjør for dødsboet',
    text: 'Skatteoppgjøret for 2025 er klart.',
    ack: false,
  },
];

/**
 * Every way of acting for a mailbox, for the demo people (docs/access.md): a read delegate, a
 * guardian, an executor, an organisation with employees with and without confidential access
 * (its administrator Sara Moe is one by her token's claim, and needs no grant).
 */
async function grantDemoRoles(ctx: CliContext): Promise<void> {
  const root = await ctx.root();
  const operator = `${ctx.actor} (dev seed)`;
  const { manager } = await ctx.db();
  // Named as if each had logged in once, so the demo's mailbox switcher shows whose post it is.
  const names = new MailboxesStore(root.sql);
  for (const p of [P.kari, P.minor, P.deceased])
    await names.setDisplayName(
      (await root.mailboxes.findOrCreate(manager, p.nationalId)).id,
      p.name,
    );
  const kari = await root.mailboxes.findOrCreate(manager, P.kari.nationalId);
  await root.mailboxGrants.grantByOperator(
    {
      mailboxId: kari.id,
      granteeNationalId: P.delegate.nationalId,
      role: 'grantee',
      access: 'read',
      confidential: false,
      until: new Date(Date.now() + 365 * 86_400_000),
    },
    operator,
  );
  await root.accessRegistrations.addGuardian(P.guardian.nationalId, P.minor.nationalId, operator);
  const estateUntil = new Date(Date.now() + 180 * 86_400_000);
  await root.accessRegistrations.grantEstate(
    P.deceased.nationalId,
    P.executor.nationalId,
    estateUntil,
    operator,
  );
  const org = await root.accessRegistrations.createOrganisation(
    { number: DEMO_ORGANISATION.number, name: DEMO_ORGANISATION.name },
    operator,
  );
  for (const [employee, confidential, access] of [
    [P.confidentialEmployee, true, 'read_write'],
    [P.employee, false, 'read'],
  ] as const) {
    await root.mailboxGrants.grantByOperator(
      {
        mailboxId: org.id,
        granteeNationalId: employee.nationalId,
        role: 'employee',
        access,
        confidential,
        until: null,
      },
      operator,
    );
  }
}

/**
 * `dev seed`: a demo agency with a signing key and an API key, letters to the demo people sent
 * through the running API like an agency would, and the grants that give each demo person a
 * role. Safe to run again: it only adds what is missing.
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
    const signingKeyFile = resolve(dirname(stateFile), 'demo-agency-signing-key.asc');
    const publicKey = await demoKeyPair(
      signingKeyFile,
      'Skatteetaten (demo)',
      'demo@skatteetaten.example',
    );
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
  if (!state.encryptionKeyFile) {
    // Replies and messages to the demo agency: a key of its own, and two topics.
    const encryptionKeyFile = resolve(dirname(stateFile), 'demo-agency-encryption-key.asc');
    const publicKey = await demoKeyPair(
      encryptionKeyFile,
      'Skatteetaten (demo) post',
      'post@skatteetaten.example',
    );
    await agencies.setEncryptionKey(state.agencyId, await readEncryptionKey(publicKey));
    await agencies.setMessageTopics(state.agencyId, true, ['skattemelding', 'innkreving']);
    state = { ...state, encryptionKeyFile };
    writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  }
  if (!state.lettersSent) {
    // Demo citizens have a confirmed address, so the notifications show in the mail catcher.
    const directory = (await ctx.root()).mailboxes;
    const { manager } = await ctx.db();
    for (const citizen of DEMO_CITIZENS) {
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
        repliesAllowed: 'replies' in letter,
      });
    }
    state.lettersSent = true;
    writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  }
  if (!state.rolesGranted) {
    await grantDemoRoles(ctx);
    state.rolesGranted = true;
    writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  }
  if (!state.organisationLettersSent) {
    await seedOrganisation(ctx, api, state);
    state.organisation = {
      name: DEMO_ORGANISATION.name,
      organisationNumber: DEMO_ORGANISATION.number,
    };
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
  const { mailboxes, agencies } = await ctx.root();
  const { number: organisationNumber, name } = DEMO_ORGANISATION;
  const mailbox = await mailboxes.findOrCreateOrganisation(manager, organisationNumber);
  await new MailboxesStore(new Sql(manager)).setDisplayName(mailbox.id, name);
  await agencies.setConfirmedNotificationEmail(mailbox.id, 'post@brreg.example.test');
  for (const letter of DEMO_ORGANISATION_LETTERS) {
    await sendDemoLetter(api, state, {
      recipient: { organisationNumber },
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
    repliesAllowed?: boolean;
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
      ...(letter.repliesAllowed ? { replies: { allowed: true } } : {}),
    }),
  });
}

/** A new demo key pair: the private key written to `file` (owner only), the public returned. */
async function demoKeyPair(file: string, name: string, email: string): Promise<string> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email }],
    format: 'armored',
  });
  writeFileSync(file, privateKey, { mode: 0o600 });
  return publicKey;
}
