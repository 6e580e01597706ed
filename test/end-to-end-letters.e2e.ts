import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import { makeSyntheticNorwegianId } from '#identity';
import {
  createAgency,
  generateAgencyKey,
  platformPublicKey,
  type TestAgency,
} from './support/agency';
import { endToEndDocument as endToEndDocumentFor } from './support/fixtures';
import { ApiClient } from './support/http';
import { Stack } from './support/stack';

jest.setTimeout(60_000);

const stack = new Stack();
let api: ApiClient;
let agency: TestAgency;
let agencyApi: ApiClient;
let platformKey: string;

const withKey = makeSyntheticNorwegianId(new Date('1970-05-17'), 321, 'tenor');
const withoutKey = makeSyntheticNorwegianId(new Date('1992-08-21'), 654, 'tenor');
const PASSPHRASE = 'a long enough passphrase';
let citizenKeys: { privateKey: string; publicKey: string };

async function citizen(nationalId: string): Promise<ApiClient> {
  return api.as(await stack.cli(['dev', 'token', '--citizen', nationalId]));
}

/** An end-to-end document signed by the test's agency unless another signer is given. */
function endToEndDocument(text: string, encryptTo: string, signer: string = agency.privateKey) {
  return endToEndDocumentFor(text, encryptTo, signer);
}

function send(documents: unknown[], nationalId = withKey) {
  return agencyApi.post(
    '/v1/letters',
    { recipient: { nationalId }, title: 'Kryptert vedtak', documents },
    { 'idempotency-key': randomUUID() },
  );
}

beforeAll(async () => {
  await stack.start();
  api = new ApiClient(stack.baseUrl);
  platformKey = await platformPublicKey(stack);
  agency = await createAgency(stack, 'NAV');
  agencyApi = api.as(agency.apiKey);
  citizenKeys = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Citizen' }],
    passphrase: PASSPHRASE,
    format: 'armored',
  });
});

afterAll(() => stack.stop());

describe("a citizen's key for end-to-end letters", () => {
  it('refuses a private key where the public key belongs', async () => {
    const response = await (
      await citizen(withKey)
    ).request('PUT', '/v1/mailbox/key', { publicKey: citizenKeys.privateKey });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('mailbox.invalid_key');
  });

  it('refuses a private key that is not protected by a passphrase', async () => {
    const bare = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Bare' }],
      format: 'armored',
    });
    const response = await (
      await citizen(withKey)
    ).request('PUT', '/v1/mailbox/key', {
      publicKey: bare.publicKey,
      encryptedPrivateKey: bare.privateKey,
    });
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(/encrypted with a passphrase/);
  });

  it('registers the key, and recipient lookup hands it to agencies', async () => {
    const client = await citizen(withKey);
    const put = await client.request('PUT', '/v1/mailbox/key', {
      publicKey: citizenKeys.publicKey,
      encryptedPrivateKey: citizenKeys.privateKey,
    });
    expect(put.status).toBe(200);
    const fingerprint = (
      await openpgp.readKey({ armoredKey: citizenKeys.publicKey })
    ).getFingerprint();
    expect(put.body).toMatchObject({ fingerprint, encryptedPrivateKey: citizenKeys.privateKey });
    const lookup = await agencyApi.post('/v1/recipients/lookup', {
      nationalIds: [withKey, withoutKey],
      purpose: 'End-to-end letter',
    });
    expect(lookup.body.items[0].publicKey).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(lookup.body.items[1].publicKey).toBeNull();
    expect(lookup.body.items.map((i: { endToEnd: boolean }) => i.endToEnd)).toEqual([true, false]);
  });
});

describe('an end-to-end letter', () => {
  it('is refused for a recipient without a key', async () => {
    const response = await send([await endToEndDocument('Hei', citizenKeys.publicKey)], withoutKey);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('letter.end_to_end_unavailable');
  });

  it('is refused for a recipient who reserved against digital post, as print cannot read it', async () => {
    const reserved = makeSyntheticNorwegianId(new Date('1961-02-03'), 987, 'tenor');
    const put = await (
      await citizen(reserved)
    ).request('PUT', '/v1/mailbox/key', { publicKey: citizenKeys.publicKey });
    expect(put.status).toBe(200);
    await stack.cli(['citizen', 'reserve', '--national-id', reserved]);
    const lookup = await agencyApi.post('/v1/recipients/lookup', {
      nationalIds: [reserved],
      purpose: 'End-to-end letter',
    });
    expect(lookup.body.items[0]).toMatchObject({ status: 'reserved', endToEnd: false });

    const response = await send([await endToEndDocument('Hei', citizenKeys.publicKey)], reserved);
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('recipient.reserved_end_to_end');
    expect(response.body.detail).toMatch(/print and post it yourself/);
  });

  it("is refused when a document is not encrypted to the recipient's key", async () => {
    const response = await send([await endToEndDocument('Hei', platformKey)]);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('openpgp.not_encrypted_to_recipient');
  });

  it('is refused when one of its documents carries no signature', async () => {
    const signed = await endToEndDocument('Hei', citizenKeys.publicKey);
    const { signature: _dropped, ...unsigned } = await endToEndDocument(
      'Hei',
      citizenKeys.publicKey,
    );
    const response = await send([signed, unsigned]);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('letter.signature_missing');
  });

  it('is rejected by the worker when signed by a key the agency never registered', async () => {
    const stranger = await generateAgencyKey();
    const response = await send([
      await endToEndDocument('Hei', citizenKeys.publicKey, stranger.privateKey),
    ]);
    expect(response.status).toBe(202);
    await agencyApi.waitForState(response.body.id, 'rejected');
    const receipts = await agencyApi.get(`/v1/letters/${response.body.id}/receipts`);
    const rejected = receipts.body.items.find((r: any) => r.type === 'rejected');
    expect(rejected.reason.code).toBe('openpgp.unknown_signer');
  });

  it('is delivered as received; the citizen gets the ciphertext and the senders keys to check it', async () => {
    const document = await endToEndDocument('Bare du kan lese dette.', citizenKeys.publicKey);
    const response = await send([document]);
    expect(response.status).toBe(202);
    await agencyApi.waitForState(response.body.id, 'delivered');

    const client = await citizen(withKey);
    const letter = await client.get(`/v1/mailbox/letters/${response.body.id}`);
    expect(letter.body.endToEnd).toBe(true);
    const bytes = await fetch(
      `${stack.baseUrl}/v1/mailbox/letters/${response.body.id}/documents/${letter.body.documents[0].id}`,
      {
        headers: {
          authorization: `Bearer ${await stack.cli(['dev', 'token', '--citizen', withKey])}`,
        },
      },
    ).then(async (r) => Buffer.from(await r.arrayBuffer()));
    expect(bytes.equals(Buffer.from(document.content, 'base64'))).toBe(true);

    const privateKey = await openpgp.decryptKey({
      privateKey: await openpgp.readPrivateKey({ armoredKey: citizenKeys.privateKey }),
      passphrase: PASSPHRASE,
    });
    const senderKeys = await client.get(`/v1/mailbox/letters/${response.body.id}/sender-keys`);
    expect(senderKeys.body.keys).toHaveLength(1);
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ binaryMessage: bytes }),
      decryptionKeys: privateKey,
      verificationKeys: await openpgp.readKey({ armoredKey: senderKeys.body.keys[0].publicKey }),
      expectSigned: true,
    });
    expect(opened.data).toBe('Bare du kan lese dette.');

    await api.waitFor(async () => {
      const r = await agencyApi.get(`/v1/letters/${response.body.id}/receipts`);
      return r.body.items.some((i: any) => i.type === 'read') ? r : undefined;
    }, 'the read receipt');
    const receipts = await agencyApi.get(`/v1/letters/${response.body.id}/receipts`);
    for (const receipt of receipts.body.items)
      expect(receipt.documents[0].plaintextSha256).toBeUndefined();
  });

  it('answers another citizen asking for its sender keys with 404', async () => {
    const other = await citizen(withoutKey);
    const response = await other.get(`/v1/mailbox/letters/${randomUUID()}/sender-keys`);
    expect(response.status).toBe(404);
  });
});
