import { randomBytes } from 'node:crypto';
import { parseMasterKeys } from '#crypto';
import { DomainError } from '#errors';
import { makeSyntheticNorwegianId, type IdentityCountry } from '#identity';
import { MailboxDirectory } from '../../src/mailbox/mailbox-directory';

const masterKeys = parseMasterKeys(`1:${randomBytes(32).toString('base64')}`);

function directoryFor(country: IdentityCountry): MailboxDirectory {
  const policy = {
    country,
    allowSynthetic: false,
    pepper: randomBytes(32),
    recipientRefKey: randomBytes(32),
  };
  return new MailboxDirectory(policy, masterKeys);
}

function refusal(directory: MailboxDirectory, nationalId: string): unknown {
  try {
    directory.assertValid(nationalId);
  } catch (error) {
    return error;
  }
  return null;
}

describe('the mailbox directory', () => {
  it("takes Norway's fødselsnummer and refuses a CPR number in a Norwegian deployment", () => {
    const norway = directoryFor('NO');
    expect(refusal(norway, '13097248022')).toBeNull();
    expect(refusal(norway, '0707614285')).toMatchObject({
      status: 400,
      code: 'recipient.invalid_national_id',
      detail: 'nationalId is not a valid national identity number: must be 11 digits',
    });
  });

  it('takes a CPR number and refuses a fødselsnummer in a Danish deployment', () => {
    const denmark = directoryFor('DK');
    expect(refusal(denmark, '0707614285')).toBeNull();
    const refused = refusal(denmark, '13097248022');
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      detail:
        'nationalId is not a valid national identity number: must be 10 digits, written without the hyphen',
    });
  });

  it('keeps refusing test numbers where synthetic numbers are not allowed', () => {
    const tenor = makeSyntheticNorwegianId(new Date('1985-03-14'), 123, 'tenor');
    expect(refusal(directoryFor('NO'), tenor)).toMatchObject({ status: 400 });
  });
});
