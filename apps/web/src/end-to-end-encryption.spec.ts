// Runs in the root Jest `unit` project: the client's OpenPGP code with the same openpgp.js.
import * as openpgp from 'openpgp';
import { encryptForAgency, generateKey, unlock } from './end-to-end-encryption';

async function agencyKey() {
  return openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Husbanken' }],
    format: 'armored',
  });
}

async function open(armored: string, privateKey: openpgp.PrivateKey, verify?: string) {
  return openpgp.decrypt({
    message: await openpgp.readMessage({ armoredMessage: armored }),
    decryptionKeys: privateKey,
    ...(verify ? { verificationKeys: await openpgp.readKey({ armoredKey: verify }) } : {}),
    format: 'binary',
  });
}

describe("a reply's documents", () => {
  it("open with the agency's key and with the citizen's own, and carry the citizen's signature", async () => {
    const agency = await agencyKey();
    const citizen = await generateKey('Kari Nordmann', 'correct horse battery');
    const signingKey = await unlock(citizen.encryptedPrivateKey, 'correct horse battery');
    const sealed = await encryptForAgency(
      new TextEncoder().encode('Jeg klager.'),
      'svar.txt',
      [agency.publicKey, citizen.publicKey],
      signingKey,
    );
    const byAgency = await open(
      sealed,
      await openpgp.readPrivateKey({ armoredKey: agency.privateKey }),
      citizen.publicKey,
    );
    expect(Buffer.from(byAgency.data as Uint8Array).toString()).toBe('Jeg klager.');
    await expect(byAgency.signatures[0]!.verified).resolves.toBe(true);
    const byCitizen = await open(sealed, signingKey);
    expect(Buffer.from(byCitizen.data as Uint8Array).toString()).toBe('Jeg klager.');
  });

  it('are unsigned without the citizen’s key, and open for the agency alone', async () => {
    const agency = await agencyKey();
    const other = await agencyKey();
    const sealed = await encryptForAgency(
      new Uint8Array([1, 2, 3]),
      'a.bin',
      [agency.publicKey],
      null,
    );
    const opened = await open(
      sealed,
      await openpgp.readPrivateKey({ armoredKey: agency.privateKey }),
    );
    expect([...(opened.data as Uint8Array)]).toEqual([1, 2, 3]);
    expect(opened.signatures).toEqual([]);
    await expect(
      open(sealed, await openpgp.readPrivateKey({ armoredKey: other.privateKey })),
    ).rejects.toThrow();
  });
});
