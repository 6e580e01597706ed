import * as openpgp from 'openpgp';
import {
  endToEndDocument,
  inlineOpener,
  sendingAgency,
  submitCommand,
  textSubmission,
} from '../../../test/support/fixtures';
import { DeliverLetter } from '../src/delivery/deliver-letter';

jest.setTimeout(30_000);

const ORGANISATION = '974760673';

let sending: Awaited<ReturnType<typeof sendingAgency>>;

async function toOrganisation(title: string, confidential = false) {
  const submission = await textSubmission(`Innhold: ${title}`, 'unused', sending.keys, title);
  return { ...submission, recipient: { organisationNumber: ORGANISATION }, confidential };
}

async function deliverNew(title: string, confidential = false): Promise<string> {
  const { body } = await sending.submit.execute(
    submitCommand(sending.agencyId, await toOrganisation(title, confidential)),
  );
  const deliver = new DeliverLetter(
    sending.db,
    sending.root.mailboxes,
    await inlineOpener(sending.config),
  );
  expect(await deliver.execute(body.id)).toEqual({ kind: 'done', state: 'delivered' });
  return body.id;
}

const lettersStored = async () =>
  ((await sending.db.query('SELECT count(*)::int AS n FROM letters')) as { n: number }[])[0].n;

beforeAll(async () => {
  sending = await sendingAgency('pk-org');
});
afterAll(() => sending.close());

describe("delivery to an organisation's mailbox", () => {
  it('seals and delivers it as for a person, into the mailbox its number names', async () => {
    const letterId = await deliverNew('Vedtak', true);
    const [row] = (await sending.db.query(
      `SELECT l.confidential, mb.kind, mb.organisation_number, mb.national_id_hmac,
              (SELECT count(*) FROM documents d WHERE d.letter_id = l.id AND d.sealed IS NOT NULL
                 AND d.received IS NULL)::int AS sealed
         FROM letters l JOIN mailboxes mb ON mb.id = l.mailbox_id WHERE l.id = $1`,
      [letterId],
    )) as Record<string, unknown>[];
    expect(row).toEqual({
      confidential: true,
      kind: 'organisation',
      organisation_number: ORGANISATION,
      national_id_hmac: null,
      sealed: 1,
    });
  });

  it('never hands an organisation to print, whatever its reserved column says', async () => {
    const mailbox = (await sending.root.mailboxes.findOrganisation(
      sending.db.manager,
      ORGANISATION,
    ))!;
    await sending.db.query('UPDATE mailboxes SET reserved = true WHERE id = $1', [mailbox.id]);
    try {
      await deliverNew('Ikke til print');
    } finally {
      await sending.db.query('UPDATE mailboxes SET reserved = false WHERE id = $1', [mailbox.id]);
    }
  });

  it('refuses an end-to-end letter to an organisation without a key, storing nothing', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Someone' }],
      format: 'armored',
    });
    const before = await lettersStored();
    await expect(
      sending.submit.execute(
        submitCommand(sending.agencyId, {
          recipient: { organisationNumber: ORGANISATION },
          title: 'Kryptert',
          documents: [await endToEndDocument('Hemmelig', publicKey, sending.signingKey)],
        }),
      ),
    ).rejects.toMatchObject({ status: 400, code: 'letter.end_to_end_unavailable' });
    expect(await lettersStored()).toBe(before);
  });
});
