import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { generateApiKey, parseScopes, SCOPES, type Scope } from '#auth';
import { readSigningKey } from '#crypto';
import type { AgenciesStore } from '#stores';
import { addEncryptionKey, setTopics } from './agency-inbox';
import { agenciesOf, required, UsageError, type CliContext } from './context';

export const USAGE = `usage:
  agency create --name NAME --signing-key FILE [--scopes LIST] [--json]
  agency list [--json]
  agency keys --agency ID [--json]              (the agency's API keys and their scopes)
  agency add-key --agency ID --signing-key FILE   (a revoked key is valid again from now on)
  agency revoke-key --agency ID --fingerprint FPR
  agency rotate-api-key --agency ID [--scopes LIST] [--json]   (issues a new key, revokes the old ones)
  agency revoke-api-keys --agency ID
  agency allow-withholding --agency ID --legal-basis TEXT   (the agency may withhold access-log
                  entries from citizens until a date, at most ACCESS_WITHHOLD_MAX_DAYS ahead)
  agency add-encryption-key --agency ID --key FILE   (armored public key that can encrypt: what
                  replies are sealed to; a new one replaces the current one)
  agency set-topics --agency ID (--topics LIST | --none)   (whether citizens may start a message
                  to the agency, on which comma-separated topics)
  citizen reserve --national-id N [--off]

  --scopes LIST   comma-separated scopes of the new API key, e.g. letters:send,recipients:lookup;
                  known: ${SCOPES.join(', ')}; default: all of them`;

/** Re-adding a revoked key opens a new validity interval; the revocation stays in the history. */
async function addSigningKey(
  ctx: CliContext,
  agencies: AgenciesStore,
  agencyId: string,
  file: string,
) {
  const key = await readSigningKey(readFileSync(file, 'utf8'));
  const added = await agencies.addSigningKey(agencyId, key);
  if (added.opened) {
    await agencies.audit({
      actor: ctx.actor,
      action: 'agency.signing_key_added',
      subject: agencyId,
      details: { fingerprint: key.fingerprint },
    });
  }
  return { fingerprint: key.fingerprint, ...added };
}

/** The scopes of a key about to be issued: all of them unless `--scopes` narrows them. */
function scopesOption(values: { scopes?: string }): Scope[] {
  if (values.scopes === undefined) return [...SCOPES];
  try {
    return parseScopes(values.scopes);
  } catch (error) {
    throw new UsageError(`--scopes: ${(error as Error).message}`);
  }
}

export async function agencyCommand(
  ctx: CliContext,
  sub: string | undefined,
  argv: string[],
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      'signing-key': { type: 'string' },
      agency: { type: 'string' },
      fingerprint: { type: 'string' },
      scopes: { type: 'string' },
      'legal-basis': { type: 'string' },
      key: { type: 'string' },
      topics: { type: 'string' },
      none: { type: 'boolean' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || sub === 'help' || sub === '--help') {
    console.log(USAGE);
    return;
  }
  // Before any write: a mistyped scope must not leave an agency without a key.
  const scopes = scopesOption(values);
  const agencies = await agenciesOf(ctx);
  const audit = (action: string, subject: string, details?: Record<string, unknown>) =>
    agencies.audit({ actor: ctx.actor, action, subject, details });
  switch (sub) {
    case 'create': {
      const name = required(values, 'name');
      // Read before any write, so a missing or unreadable key leaves no agency behind.
      const signingKey = await readSigningKey(
        readFileSync(required(values, 'signing-key'), 'utf8'),
      );
      const id = uuidv7();
      const { key: apiKey, hash } = generateApiKey();
      const { fingerprint } = await agencies.create({
        id,
        name,
        signingKey,
        apiKey: { hash, scopes },
      });
      await audit('agency.created', id, { name });
      await audit('agency.signing_key_added', id, { fingerprint });
      await audit('agency.api_key_issued', id, { scopes });
      ctx.print(
        values.json
          ? { id, apiKey, scopes }
          : `Agency ${name}\n  id:          ${id}\n  signing key: ${fingerprint}\n  API key:     ${apiKey}  (shown once)\n  scopes:      ${scopes.join(', ')}`,
        values.json,
      );
      return;
    }
    case 'keys': {
      const agency = required(values, 'agency');
      const keys = (await agencies.keysOf(agency)).map((k) => ({
        id: k.id,
        scopes: k.scopes,
        createdAt: k.createdAt.toISOString(),
        revokedAt: k.revokedAt?.toISOString() ?? null,
      }));
      ctx.print(
        values.json
          ? keys
          : keys
              .map(
                (k) =>
                  `${k.id}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  ${k.scopes.join(',')}`,
              )
              .join('\n') || 'No API keys',
        values.json,
      );
      return;
    }
    case 'list': {
      // The listing's field names are what scripts read (`signing_keys[0].fingerprint`).
      const rows = (await agencies.list()).map((a) => ({
        id: a.id,
        name: a.name,
        created_at: a.createdAt,
        signing_keys: a.signingKeys,
        active_api_keys: a.activeApiKeys,
      }));
      ctx.print(rows, values.json);
      return;
    }
    case 'add-key': {
      const added = await addSigningKey(
        ctx,
        agencies,
        required(values, 'agency'),
        required(values, 'signing-key'),
      );
      const since = added.interval.addedAt.toISOString();
      console.log(
        added.opened
          ? `Added signing key ${added.fingerprint}, valid from ${since}`
          : `Signing key ${added.fingerprint} is already valid (since ${since})`,
      );
      return;
    }
    case 'revoke-key': {
      const agency = required(values, 'agency');
      const fingerprint = required(values, 'fingerprint').toLowerCase();
      if (!(await agencies.revokeSigningKey(agency, fingerprint)))
        throw new UsageError('No such active signing key for that agency');
      await audit('agency.signing_key_revoked', agency, { fingerprint });
      console.log(`Revoked ${fingerprint}; letters signed before now still verify`);
      return;
    }
    case 'rotate-api-key': {
      const agency = required(values, 'agency');
      await agencies.revokeApiKeys(agency);
      const { key: apiKey, hash } = generateApiKey();
      await agencies.issueApiKey(agency, { hash, scopes });
      await audit('agency.api_key_rotated', agency, { scopes });
      ctx.print(
        values.json
          ? { id: agency, apiKey, scopes }
          : `New API key (shown once): ${apiKey}\n  scopes: ${scopes.join(', ')}`,
        values.json,
      );
      return;
    }
    case 'revoke-api-keys': {
      const agency = required(values, 'agency');
      await agencies.revokeApiKeys(agency);
      await audit('agency.api_keys_revoked', agency);
      console.log('Revoked all API keys of the agency');
      return;
    }
    case 'allow-withholding': {
      const agency = required(values, 'agency');
      const legalBasis = required(values, 'legal-basis').trim();
      if (legalBasis.length < 3) throw new UsageError('--legal-basis: name the legal basis');
      if (!(await agencies.allowWithholding(agency, legalBasis)))
        throw new UsageError('No such agency');
      await audit('agency.withholding_allowed', agency, { legalBasis });
      console.log(`The agency may withhold access-log entries (legal basis: ${legalBasis})`);
      return;
    }
    case 'add-encryption-key':
      console.log(
        await addEncryptionKey(ctx, agencies, required(values, 'agency'), required(values, 'key')),
      );
      return;
    case 'set-topics':
      console.log(await setTopics(ctx, agencies, required(values, 'agency'), values));
      return;
    default:
      throw new UsageError(USAGE);
  }
}

export async function citizenCommand(
  ctx: CliContext,
  sub: string | undefined,
  argv: string[],
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'national-id': { type: 'string' }, off: { type: 'boolean', default: false } },
  });
  if (sub !== 'reserve') throw new UsageError(USAGE);
  const nationalId = required(values, 'national-id');
  const directory = (await ctx.root()).mailboxes;
  directory.assertValid(nationalId);
  const mailbox = await directory.findOrCreate((await ctx.db()).manager, nationalId);
  const agencies = await agenciesOf(ctx);
  await agencies.setMailboxReserved(mailbox.id, !values.off);
  await agencies.audit({
    actor: ctx.actor,
    action: values.off ? 'citizen.reservation_lifted' : 'citizen.reserved',
    subject: mailbox.id,
  });
  console.log(
    values.off ? 'Reservation lifted' : 'Reserved against digital post: letters go to print',
  );
}
