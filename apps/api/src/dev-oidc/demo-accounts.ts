import { createHash } from 'node:crypto';
import { DEMO_PEOPLE, type DemoPerson } from '#identity';

export interface DemoAccount {
  accountId: string;
  name: string;
  nationalId?: string;
  roles?: string[];
  /** Organisation numbers the token's organisation-roles claim names them an administrator of. */
  administers?: string[];
  /** What the login page says they are in the demo ("guardian of a minor"). */
  description?: string;
}

/** The same subject `npm run cli -- dev token --citizen N` puts in its tokens. */
export function citizenAccountId(nationalId: string): string {
  return `citizen-${createHash('sha256').update(nationalId).digest('hex').slice(0, 16)}`;
}

export function citizenAccount(nationalId: string, name: string): DemoAccount {
  return { accountId: citizenAccountId(nationalId), name, nationalId };
}

const demoAccount = (p: DemoPerson): DemoAccount => ({
  ...citizenAccount(p.nationalId, p.name),
  ...(p.administers ? { administers: p.administers } : {}),
  ...(p.role ? { description: p.role } : {}),
});

/** The demo people (`dev seed` gives them letters and roles), and one auditor. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  ...Object.values(DEMO_PEOPLE).map(demoAccount),
  { accountId: 'auditor-Riksrevisjonen', name: 'Riksrevisjonen', roles: ['auditor'] },
];
