import * as openpgp from 'openpgp';
import { OpenPgpError } from '../src/errors';
import { readEncryptionKey, type EncryptionKey } from '../src/keys';
import { DEFAULT_OPENPGP_LIMITS } from '../src/limits';
import { sealReplyDocument } from '../src/reply-compose';
import { inspectSealedTo } from '../src/sealed-to';
import { bytesOf, encryptBinary } from '../src/testing/openpgp-fixtures';

const LIMITS = DEFAULT_OPENPGP_LIMITS;
const REPLY = bytesOf('Jeg klager på vedtaket');

let agency: { key: openpgp.PublicKey; read: EncryptionKey; privateKey: string };
let other: openpgp.PublicKey;

async function makeKey() {
  return openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Husbanken' }],
    format: 'armored',
  });
}

beforeAll(async () => {
  const made = await makeKey();
  agency = {
    key: await openpgp.readKey({ armoredKey: made.publicKey }),
    read: await readEncryptionKey(made.publicKey),
    privateKey: made.privateKey,
  };
  other = await openpgp.readKey({ armoredKey: (await makeKey()).publicKey });
});

async function refusal(bytes: Uint8Array): Promise<OpenPgpError> {
  const error = await inspectSealedTo(bytes, agency.read.encryptionKeyIds, LIMITS).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof OpenPgpError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('readEncryptionKey', () => {
  it('takes a public key that can encrypt, and gives its encryption subkey id', () => {
    expect(agency.read.fingerprint).toBe(agency.key.getFingerprint());
    expect(agency.read.armored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(agency.read.encryptionKeyIds).toEqual([agency.key.subkeys[0]!.getKeyID().toHex()]);
  });

  it('refuses a private key, saying to keep it', async () => {
    await expect(readEncryptionKey(agency.privateKey)).rejects.toThrow(/private key/);
  });

  it('refuses a key without an encryption subkey', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Signing only' }],
      subkeys: [],
      format: 'armored',
    });
    await expect(readEncryptionKey(publicKey)).rejects.toMatchObject({
      code: 'openpgp.unusable_key',
    });
  });
});

describe('inspectSealedTo', () => {
  it('takes a message encrypted to the agency, and to the writer as well', async () => {
    const both = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: REPLY }),
      encryptionKeys: [agency.key, other],
      format: 'binary',
    });
    const recipients = await inspectSealedTo(both, agency.read.encryptionKeyIds, LIMITS);
    expect(recipients).toHaveLength(2);
    expect(recipients).toContain(agency.read.encryptionKeyIds[0]);
  });

  it('refuses a message for someone else, and an anonymous (wildcard) recipient', async () => {
    expect((await refusal(await encryptBinary(REPLY, { to: other }))).code).toBe(
      'openpgp.not_encrypted_to_recipient',
    );
    const anonymous = await encryptBinary(REPLY, { to: agency.key, wildcard: true });
    expect((await refusal(anonymous)).detail).toMatch(/anonymous recipients are not accepted/);
  });

  it('refuses a password-encrypted session key beside the agency’s', async () => {
    const withPassword = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: REPLY }),
      encryptionKeys: agency.key,
      passwords: ['hemmelig'],
      format: 'binary',
    });
    expect((await refusal(withPassword)).detail).toMatch(/nothing else/);
  });

  it('refuses plain literal data as not encrypted', async () => {
    const literal = (await openpgp.createMessage({ binary: REPLY })).write() as Uint8Array;
    expect((await refusal(literal)).detail).toMatch(/not encrypted/);
  });
});

describe('sealReplyDocument', () => {
  it('seals to the agency and the writer, signed, in the form the API takes', async () => {
    const writer = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Citizen' }],
      format: 'object',
    });
    const armored = await sealReplyDocument(REPLY, {
      agencyPublicKey: agency.key.armor(),
      ownPublicKey: writer.publicKey.armor(),
      signingKey: writer.privateKey,
    });
    const bytes = (await openpgp.unarmor(armored)).data as Uint8Array;
    expect(await inspectSealedTo(bytes, agency.read.encryptionKeyIds, LIMITS)).toHaveLength(2);
    for (const decryptionKeys of [
      await openpgp.readPrivateKey({ armoredKey: agency.privateKey }),
      writer.privateKey,
    ]) {
      const opened = await openpgp.decrypt({
        message: await openpgp.readMessage({ armoredMessage: armored }),
        decryptionKeys,
        verificationKeys: writer.publicKey,
        expectSigned: true,
        format: 'binary',
      });
      expect(Buffer.from(opened.data as Uint8Array).toString()).toBe('Jeg klager på vedtaket');
    }
  });
});
