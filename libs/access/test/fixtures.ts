import type { Grant, OrganisationMailbox, PersonMailbox, Principal } from '#access';

/** People by the HMAC of their national id, as the stores would hand them over. */
export const KARI = 'ref-kari';
export const OLA = 'ref-ola';
export const INGRID = 'ref-ingrid';

export const person = (personRef: string, administratorOf: string[] = []): Principal => ({
  personRef,
  administratorOf,
});

export const karisMailbox: PersonMailbox = { id: 'mbx-kari', kind: 'person', ownerRef: KARI };
export const olasMailbox: PersonMailbox = { id: 'mbx-ola', kind: 'person', ownerRef: OLA };
/** Ingrid, born 2010-06-30, a minor until 2028-06-30. */
export const ingridsMailbox: PersonMailbox = {
  id: 'mbx-ingrid',
  kind: 'person',
  ownerRef: INGRID,
  minorBirthDate: '2010-06-30',
};
export const brreg: OrganisationMailbox = {
  id: 'mbx-brreg',
  kind: 'organisation',
  organisationNumber: '974760673',
};
export const nav: OrganisationMailbox = {
  id: 'mbx-nav',
  kind: 'organisation',
  organisationNumber: '889640782',
};

export const at = (iso: string): Date => new Date(iso);

/** A grant of Kari's mailbox to Ola, read only, made in 2024; `changes` say what differs. */
export function grant(changes: Partial<Grant> = {}): Grant {
  return {
    id: 'grant-1',
    mailboxId: karisMailbox.id,
    granteeRef: OLA,
    role: 'grantee',
    access: 'read',
    confidential: false,
    until: null,
    revokedAt: null,
    createdAt: at('2024-01-01T00:00:00Z'),
    ...changes,
  };
}
