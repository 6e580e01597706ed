import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { generateApiKey, parseScopes, SCOPES, type Scope } from '#auth';
import { readSigningKey } from '#crypto';
import { MailboxDirectory, SigningKeyHistory } from '#letters';
import { operatorAudit, required, UsageError, type CliContext } from './context';

export const USAGE = `usage:
  agency create --name NAME --signing-key FILE [--scopes LIST] [--json]
  agency list [--json]
  agency keys --agency ID [--json]              (the agency's API keys and their scopes)
  agency add-key --agency ID --signing-key FILE   (a revoked key is valid again from now on)
  agency revoke-key --agency ID --fingerprint FPR
  agency rotate-api-key --agency ID [--scopes LIST] [--json]   (issues a new key, revokes the old ones)
  agency revoke-api-keys --agency ID
  citizen reserve --national-id N [--off]

  --scopes LIST   comma-separated scopes of the new API key, e.g. letters:send,recipients:lookup;
                  known: ${SCOPES.join(', ')}; default: all of them`;

/** Re-adding a revoked key opens a new validity interval; the revocation stays in the history. */
async function addSigningKey(ctx: CliContext, agencyId: string, file: string) {
  const key = await readSigningKey(readFileSync(file, 'utf8'));
  const db = await ctx.db();
  const added = await new SigningKeyHistory(db).add(agencyId, key);
  if (added.opened) {
    await operatorAudit(db, ctx.actor, 'agency.signing_key_added', agencyId, {
      fingerprint: key.fingerprint,
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

async function issueApiKey(ctx: CliContext, agencyId: string, scopes: Scope[]): Promise<string> {
  const db = await ctx.db();
  const { key, hash } = generateApiKey();
  await db.query('INSERT INTO api_keys (id, agency_id, key_hash, scopes) VALUES ($1, $2, $3, $4)', [
    uuidv7(),
    agencyId,
    hash,
    scopes,
  ]);
  return key;
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
  const db = await ctx.db();
  switch (sub) {
    case 'create': {
      const name = required(values, 'name');
      const id = uuidv7();
      await db.query('INSERT INTO agencies (id, name) VALUES ($1, $2)', [id, name]);
      await operatorAudit(db, ctx.actor, 'agency.created', id, { name });
      const { fingerprint } = await addSigningKey(ctx, id, required(values, 'signing-key'));
      const apiKey = await issueApiKey(ctx, id, scopes);
      await operatorAudit(db, ctx.actor, 'agency.api_key_issued', id, { scopes });
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
      const rows = (await db.query(
        `SELECT id, scopes, created_at, revoked_at FROM api_keys WHERE agency_id = $1 ORDER BY created_at, id`,
        [agency],
      )) as { id: string; scopes: string[]; created_at: Date; revoked_at: Date | null }[];
      const keys = rows.map((r) => ({
        id: r.id,
        scopes: r.scopes,
        createdAt: r.created_at.toISOString(),
        revokedAt: r.revoked_at?.toISOString() ?? null,
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
      const rows = (await db.query(
        `SELECT a.id, a.name, a.created_at,
           (SELECT json_agg(json_build_object('fingerprint', k.fingerprint, 'addedAt', k.added_at,
                                              'revokedAt', k.revoked_at) ORDER BY k.added_at)
              FROM agency_signing_keys k WHERE k.agency_id = a.id) AS signing_keys,
           (SELECT count(*)::int FROM api_keys ak WHERE ak.agency_id = a.id AND ak.revoked_at IS NULL) AS active_api_keys
         FROM agencies a ORDER BY a.created_at`,
      )) as unknown[];
      ctx.print(rows, values.json);
      return;
    }
    case 'add-key': {
      const added = await addSigningKey(
        ctx,
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
      if (!(await new SigningKeyHistory(db).revoke(agency, fingerprint)))
        throw new UsageError('No such active signing key for that agency');
      await operatorAudit(db, ctx.actor, 'agency.signing_key_revoked', agency, { fingerprint });
      console.log(`Revoked ${fingerprint}; letters signed before now still verify`);
      return;
    }
    case 'rotate-api-key': {
      const agency = required(values, 'agency');
      await db.query(
        'UPDATE api_keys SET revoked_at = now() WHERE agency_id = $1 AND revoked_at IS NULL',
        [agency],
      );
      const apiKey = await issueApiKey(ctx, agency, scopes);
      await operatorAudit(db, ctx.actor, 'agency.api_key_rotated', agency, { scopes });
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
      await db.query(
        'UPDATE api_keys SET revoked_at = now() WHERE agency_id = $1 AND revoked_at IS NULL',
        [agency],
      );
      await operatorAudit(db, ctx.actor, 'agency.api_keys_revoked', agency);
      console.log('Revoked all API keys of the agency');
      return;
    }
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
  const directory = new MailboxDirectory(ctx.config.nationalIds, ctx.config.masterKeys);
  directory.assertValid(nationalId);
  const db = await ctx.db();
  const mailbox = await directory.findOrCreate(db.manager, nationalId);
  await db.query('UPDATE mailboxes SET reserved = $2 WHERE id = $1', [mailbox.id, !values.off]);
  await operatorAudit(
    db,
    ctx.actor,
    values.off ? 'citizen.reservation_lifted' : 'citizen.reserved',
    mailbox.id,
  );
  console.log(
    values.off ? 'Reservation lifted' : 'Reserved against digital post: letters go to print',
  );
}
