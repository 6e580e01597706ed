import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { issueDevAccessToken } from '#auth';
import { UsageError, type CliContext } from './context';
import { seedCommand } from './seed.command';

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
      'expires-in': { type: 'string', default: '3600' },
      api: { type: 'string', default: 'http://127.0.0.1:3000' },
    },
  });
  if (sub === 'seed') return seedCommand(ctx, values.api!.replace(/\/$/, ''));
  const dev = ctx.config.oidc.devIssuer;
  if (sub !== 'token')
    throw new UsageError(
      'usage: dev token (--citizen NATIONAL_ID | --auditor NAME) [--name NAME] | dev seed [--api URL]',
    );
  if (!dev)
    throw new UsageError('The development issuer is off (DEV_OIDC_ISSUER=false or production)');
  if (!values.citizen === !values.auditor)
    throw new UsageError('Give exactly one of --citizen or --auditor');
  const { oidc } = ctx.config;
  const claims: Record<string, unknown> = values.citizen
    ? { [oidc.nationalIdClaim]: values.citizen, name: values.name ?? 'Demo Citizen' }
    : { [oidc.rolesClaim]: ['auditor'], name: values.name ?? values.auditor };
  const token = await issueDevAccessToken({
    issuer: oidc.issuer,
    audience: oidc.audience,
    key: dev,
    subject: values.citizen
      ? `citizen-${createHash('sha256').update(values.citizen).digest('hex').slice(0, 16)}`
      : `auditor-${values.auditor}`,
    claims,
    expiresInSeconds: Number(values['expires-in']),
  });
  console.log(token);
}
