import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { administratorClaim, issueDevAccessToken } from '#auth';
import { Api, API_RULE, locateApi } from './api';
import { CliError, UsageError, type CliContext, unknownSubcommand } from './context';
import { seedCommand } from './seed.command';

export const USAGE = `usage:
  dev token (--citizen NATIONAL_ID [--admin-of ORG,...] | --auditor NAME) [--name NAME]
            [--expires-in SECONDS] [--api URL]
  dev seed [--api URL]

  token prints an access token from the development issuer of the API it finds (its issuer is
  read from that API, so the token is accepted whatever this shell's PORT says); seed adds the
  demo agency, people, letters, organisation and grants (.secrets/demo.json).
  --admin-of ORG,...  the token names the citizen an administrator of these organisations
              (in the OIDC_ORGANISATION_ROLES_CLAIM claim, as ID-porten/Altinn tokens do)
  --api URL   where the API is: ${API_RULE}`;

/** The issuer the running API serves and accepts, from its discovery document. */
async function runningIssuer(api: Api): Promise<string> {
  const response = await api.request('/dev-oidc/.well-known/openid-configuration');
  if (response.status === 404)
    throw new CliError(
      `the API at ${api.url} has no development issuer (DEV_OIDC_ISSUER=false or production)`,
    );
  if (!response.ok)
    throw new CliError(`dev token: ${Api.failure(response, await response.text())}`);
  const { issuer } = (await response.json()) as { issuer?: unknown };
  if (typeof issuer !== 'string') throw new CliError(`${api.url} describes no issuer`);
  return issuer;
}

/** `dev token --citizen N` / `--auditor NAME`: a token from the development issuer. */
export async function devCommand(
  ctx: CliContext,
  sub: string | undefined,
  argv: string[],
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      citizen: { type: 'string' },
      auditor: { type: 'string' },
      name: { type: 'string' },
      'admin-of': { type: 'string' },
      'expires-in': { type: 'string', default: '3600' },
      api: { type: 'string' },
    },
  });
  if (sub === 'seed') return seedCommand(ctx, new Api(locateApi(values.api)));
  if (sub !== 'token') throw unknownSubcommand('dev', sub, ['token', 'seed']);
  const dev = ctx.config.oidc.devIssuer;
  if (!dev)
    throw new UsageError('The development issuer is off (DEV_OIDC_ISSUER=false or production)');
  if (!values.citizen === !values.auditor)
    throw new UsageError('Give exactly one of --citizen or --auditor');
  const expiresIn = Number(values['expires-in']);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0)
    throw new UsageError('--expires-in is a whole number of seconds');
  const { oidc } = ctx.config;
  const adminOf = (values['admin-of'] ?? '').split(',').filter(Boolean);
  if (adminOf.length > 0 && !values.citizen)
    throw new UsageError('--admin-of is for a citizen (--citizen)');
  const claims: Record<string, unknown> = values.citizen
    ? {
        [oidc.nationalIdClaim]: values.citizen,
        name: values.name ?? 'Demo Citizen',
        ...(adminOf.length > 0
          ? { [oidc.organisationRolesClaim]: administratorClaim(adminOf) }
          : {}),
      }
    : { [oidc.rolesClaim]: ['auditor'], name: values.name ?? values.auditor };
  const token = await issueDevAccessToken({
    issuer: await runningIssuer(new Api(locateApi(values.api))),
    audience: oidc.audience,
    key: dev,
    subject: values.citizen
      ? `citizen-${createHash('sha256').update(values.citizen).digest('hex').slice(0, 16)}`
      : `auditor-${values.auditor}`,
    claims,
    expiresInSeconds: expiresIn,
  });
  console.log(token);
}
