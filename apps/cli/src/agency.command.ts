import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { generateApiKey, SCOPES } from '#auth';
import { readSigningKey } from '#crypto';
import { MailboxDirectory } from '#letters';
import { operatorAudit, required, UsageError, type CliContext } from './context';

export const USAGE = `usage:
  agency create --name NAME --signing-key FILE [--json]
  agency list [--json]
  agency add-key --agency ID --signing-key FILE
  agency revoke-key --agency ID --fingerprint FPR
  agency rotate-api-key --agency ID [--json]     (issues a new key, revokes the old ones)
  agency revoke-api-keys --agency ID
  citizen reserve --national-id N [--off]`;

async function addSigningKey(ctx: CliContext, agencyId: string, file: string): Promise<string> {
  const key = await readSigningKey(readFileSync(file, 'utf8'));
  const db = await ctx.db();
  await db.query(
    `INSERT INTO agency_signing_keys (id, agency_id, fingerprint, public_key) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agency_id, fingerprint) DO UPDATE SET revoked_at = NULL`,
    [uuidv7(), agencyId, key.fingerprint, key.armored],
  );
  await operatorAudit(db, ctx.actor, 'agency.signing_key_added', agencyId, {
    fingerprint: key.fingerprint,
  });
  return key.fingerprint;
}

async function issueApiKey(ctx: CliContext, agencyId: string): Promise<string> {
  const db = await ctx.db();
  const { key, hash } = generateApiKey();
  await db.query('INSERT INTO api_keys (id, agency_id, key_hash, scopes) VALUES ($1, $2, $3, $4)', [
    uuidv7(),
    agencyId,
    hash,
    [...SCOPES],
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
      json: { type: 'boolean', default: false },
    },
  });
  const db = await ctx.db();
  switch (sub) {
    case 'create': {
      const name = required(values, 'name');
      const id = uuidv7();
      await db.query('INSERT INTO agencies (id, name) VALUES ($1, $2)', [id, name]);
      await operatorAudit(db, ctx.actor, 'agency.created', id, { name });
      const fingerprint = await addSigningKey(ctx, id, required(values, 'signing-key'));
      const apiKey = await issueApiKey(ctx, id);
      ctx.print(
        values.json
          ? { id, apiKey }
          : `Agency ${name}\n  id:          ${id}\n  signing key: ${fingerprint}\n  API key:     ${apiKey}  (shown once)`,
        values.json,
      );
      return;
    }
    case 'list': {
      const rows = (await db.query(
        `SELECT a.id, a.name, a.created_at,
           (SELECT json_agg(json_build_object('fingerprint', k.fingerprint, 'revokedAt', k.revoked_at))
              FROM agency_signing_keys k WHERE k.agency_id = a.id) AS signing_keys,
           (SELECT count(*)::int FROM api_keys ak WHERE ak.agency_id = a.id AND ak.revoked_at IS NULL) AS active_api_keys
         FROM agencies a ORDER BY a.created_at`,
      )) as unknown[];
      ctx.print(rows, values.json);
      return;
    }
    case 'add-key': {
      const fingerprint = await addSigningKey(
        ctx,
        required(values, 'agency'),
        required(values, 'signing-key'),
      );
      console.log(`Added signing key ${fingerprint}`);
      return;
    }
    case 'revoke-key': {
      const agency = required(values, 'agency');
      const fingerprint = required(values, 'fingerprint').toLowerCase();
      const result = (await db.query(
        `UPDATE agency_signing_keys SET revoked_at = now() WHERE agency_id = $1 AND fingerprint = $2 AND revoked_at IS NULL RETURNING id`,
        [agency, fingerprint],
      )) as [unknown[], number];
      if (result[1] === 0) throw new UsageError('No such active signing key for that agency');
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
      const apiKey = await issueApiKey(ctx, agency);
      await operatorAudit(db, ctx.actor, 'agency.api_key_rotated', agency);
      ctx.print(
        values.json ? { id: agency, apiKey } : `New API key (shown once): ${apiKey}`,
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
