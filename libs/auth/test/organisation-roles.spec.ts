import { norwegianOrganisationNumber } from '#identity';
import { administeredOrganisations } from '../src/organisation-roles';

// Valid Norwegian organisation numbers (mod-11 check digit).
const ACME = '910000004';
const OTHER = '974760673';

describe('the organisation-roles claim', () => {
  const read = (claim: unknown) => administeredOrganisations(claim, norwegianOrganisationNumber);

  it('takes a plain list of organisation numbers', () => {
    expect(read([ACME, OTHER, ACME])).toEqual([ACME, OTHER]);
  });

  it('takes Altinn-like objects, counting only administrator roles', () => {
    expect(
      read([
        { orgNumber: ACME, roles: ['Admin', 'UTINN'] },
        { organisationNumber: OTHER, roles: ['reader'] },
      ]),
    ).toEqual([ACME]);
    expect(read([{ ID: `0192:${OTHER}`, roles: ['administrator'] }])).toEqual([OTHER]);
    expect(read([{ organizationNumber: OTHER, roles: ['admin'] }])).toEqual([OTHER]);
  });

  it('grants nothing for what it does not understand or a number the scheme refuses', () => {
    expect(read(undefined)).toEqual([]);
    expect(read(ACME)).toEqual([]);
    expect(read({ orgNumber: ACME, roles: ['admin'] })).toEqual([]);
    expect(read([{ orgNumber: ACME }, { orgNumber: ACME, roles: 'admin' }, 42, null])).toEqual([]);
    expect(read(['910000009', '12345'])).toEqual([]);
  });
});
