import { parseArgs } from 'node:util';
import { required, UsageError, type CliContext } from './context';

export const USAGE = `usage:
  org create --number N --name NAME [--admin NATIONAL_ID] [--json]
  guardian add --guardian NATIONAL_ID --minor NATIONAL_ID [--json]
  estate grant --deceased NATIONAL_ID --executor NATIONAL_ID --until DATE [--json]

  org create registers an organisation's mailbox (made if no letter made it) under its name and,
  with --admin, its first administrator. guardian add lets a guardian read and file a minor's
  post until the minor's 18th birthday (read from the national id). estate grant lets an
  executor read a deceased person's post until DATE (YYYY-MM-DD: the start of that day, UTC).
  Each is written to the operator audit log; national ids are stored only as HMACs.`;

const OPTIONS = {
  number: { type: 'string' },
  name: { type: 'string' },
  admin: { type: 'string' },
  guardian: { type: 'string' },
  minor: { type: 'string' },
  deceased: { type: 'string' },
  executor: { type: 'string' },
  until: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** `YYYY-MM-DD` (the start of that day, UTC) or a full RFC 3339 time. */
function untilOption(value: string): Date {
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--until: not a date: ${value}`);
  return at;
}

/** `org`, `guardian` and `estate`: who may act for whose mailbox, registered by an operator. */
export async function accessCommand(
  ctx: CliContext,
  group: 'org' | 'guardian' | 'estate',
  sub: string | undefined,
  argv: string[],
): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  const registrations = (await ctx.root()).accessRegistrations;
  const command = `${group} ${sub ?? ''}`;
  let result: unknown;
  if (command === 'org create') {
    result = await registrations.createOrganisation(
      {
        number: required(values, 'number'),
        name: required(values, 'name'),
        adminNationalId: values.admin,
      },
      ctx.actor,
    );
  } else if (command === 'guardian add') {
    result = await registrations.addGuardian(
      required(values, 'guardian'),
      required(values, 'minor'),
      ctx.actor,
    );
  } else if (command === 'estate grant') {
    result = await registrations.grantEstate(
      required(values, 'deceased'),
      required(values, 'executor'),
      untilOption(required(values, 'until')),
      ctx.actor,
    );
  } else {
    throw new UsageError(USAGE);
  }
  ctx.print(result, values.json);
}
