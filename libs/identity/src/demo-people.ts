import { makeSyntheticNorwegianId } from './norway/synthetic';

/**
 * The demo's people, with synthetic numbers (never a real person's): the development identity
 * provider offers them at its login page and `dev seed` sends them letters and sets up the
 * grants that give each a role (docs/access.md), so the demo shows every way of acting for a
 * mailbox. One list, so the two agree.
 */
export interface DemoPerson {
  name: string;
  nationalId: string;
  /** The organisations the identity provider's token names them an administrator of. */
  administers?: string[];
  /** What the login page says they are in the demo (no one's name: pickers find people by it). */
  role?: string;
}

const person = (name: string, born: string, individual: number, role?: string): DemoPerson => ({
  name,
  nationalId: makeSyntheticNorwegianId(new Date(born), individual, 'tenor'),
  ...(role ? { role } : {}),
});

/** The demo organisation (a valid Norwegian organisation number, mod 11). */
export const DEMO_ORGANISATION = { number: '910000004', name: 'Acme AS (demo)' };

/** Born in 2014: a minor until 2032, so the guardian's access holds through the demo. */
const MINOR_BIRTH_DATE = '2014-05-20';

export const DEMO_PEOPLE = {
  kari: person('Kari Nordmann', '1985-03-14', 123),
  ola: person('Ola Nordmann', '1979-10-02', 456),
  ingrid: person('Ingrid Hansen', '2001-06-30', 789),
  guardian: person('Per Berg', '1980-01-11', 211, 'guardian of a minor'),
  minor: person('Emma Berg', MINOR_BIRTH_DATE, 512, 'a minor'),
  delegate: person('Nora Lie', '1990-08-08', 311, 'reads a delegated mailbox'),
  executor: person('Lars Dahl', '1962-04-04', 222, 'executor of an estate'),
  deceased: person('Astrid Dahl', '1931-02-02', 233, 'deceased'),
  administrator: {
    ...person('Sara Moe', '1975-12-12', 244, 'administrator of Acme AS (by token claim)'),
    administers: [DEMO_ORGANISATION.number],
  },
  confidentialEmployee: person(
    'Jonas Bakke',
    '1988-09-09',
    255,
    'employee of Acme AS, confidential',
  ),
  employee: person('Emil Strand', '1995-03-03', 266, 'employee of Acme AS'),
} satisfies Record<string, DemoPerson>;
