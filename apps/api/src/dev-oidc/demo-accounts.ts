import { createHash } from 'node:crypto';
import { makeSyntheticNorwegianId } from '#identity';

export interface DemoAccount {
  accountId: string;
  name: string;
  nationalId?: string;
  roles?: string[];
}

/** The same subject `npm run cli -- dev token --citizen N` puts in its tokens. */
export function citizenAccountId(nationalId: string): string {
  return `citizen-${createHash('sha256').update(nationalId).digest('hex').slice(0, 16)}`;
}

export function citizenAccount(nationalId: string, name: string): DemoAccount {
  return { accountId: citizenAccountId(nationalId), name, nationalId };
}

/** The citizens `dev seed` sends letters to, and one auditor. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  citizenAccount(makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor'), 'Kari Nordmann'),
  citizenAccount(makeSyntheticNorwegianId(new Date('1979-10-02'), 456, 'tenor'), 'Ola Nordmann'),
  citizenAccount(makeSyntheticNorwegianId(new Date('2001-06-30'), 789, 'tenor'), 'Ingrid Hansen'),
  { accountId: 'auditor-Riksrevisjonen', name: 'Riksrevisjonen', roles: ['auditor'] },
];
