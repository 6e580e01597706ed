import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { DataSource } from 'typeorm';
import { decideAccess, ownerScope, readOnly, type Grant, type MailboxScope } from '#access';
import { Postkasse } from '#composition';
import { readEncryptionKey, readPlatformKey } from '#crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { JobProducer, producerConnection } from '#queue';
import { AgenciesStore, Sql } from '#stores';
import {
  inlineOpener,
  signingAgency,
  submitCommand,
  testConfig,
  testDatabase,
  textSubmission,
} from '../../../test/support/fixtures';
import type { SendReply } from '../src/replies/send-reply';
import type { MailboxReplies } from '../src/replies/mailbox-replies';

jest.setTimeout(60_000);

let db: DataSource;
let close: () => Promise<void>;
let producer: JobProducer;
let root: Postkasse;
let send: SendReply;
let replies: MailboxReplies;
let owner: MailboxScope;
let letterId: string;
let agencyKey: openpgp.PublicKey;
const citizen = makeSyntheticNorwegianId(new Date('1971-02-03'), 191, 'tenor');

async function sealed(text: string) {
  return [
    {
      filename: 'svar.txt',
      mediaType: 'text/plain' as const,
      content: (await openpgp.encrypt({
        message: await openpgp.createMessage({ binary: Buffer.from(text) }),
        encryptionKeys: agencyKey,
      })) as string,
    },
  ];
}

/** A delegate's scope, decided by the access model as a request would be. */
function delegate(access: Grant['access']): MailboxScope {
  const now = new Date();
  const scope = decideAccess(
    { personRef: 'grantee-ref', administratorOf: [] },
    { id: owner.mailboxId, kind: 'person', ownerRef: 'owner-ref' },
    [
      {
        id: randomUUID(),
        mailboxId: owner.mailboxId,
        granteeRef: 'grantee-ref',
        role: 'grantee',
        access,
        confidential: false,
        until: null,
        revokedAt: null,
        createdAt: new Date(now.getTime() - 1000),
      },
    ],
    now,
  );
  if (scope === 'none') throw new Error('the grant should hold');
  return scope;
}

const replyCount = async () =>
  Number(((await db.query('SELECT count(*) AS n FROM replies')) as { n: string }[])[0]!.n);

beforeAll(async () => {
  let url: string;
  ({ db, url, close } = await testDatabase());
  const config = await testConfig(url);
  const { agencyId, signingKey } = await signingAgency(db, 'Lånekassen');
  const made = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Lånekassen mottak' }],
    format: 'armored',
  });
  agencyKey = await openpgp.readKey({ armoredKey: made.publicKey });
  await new AgenciesStore(new Sql(db)).setEncryptionKey(
    agencyId,
    await readEncryptionKey(made.publicKey),
  );
  producer = new JobProducer(producerConnection(config.redisUrl), `pk-reply-${randomUUID()}`);
  root = new Postkasse(config, { db, producer });
  const platform = await readPlatformKey(config.platformOpenPgpKey);
  const submission = {
    ...(await textSubmission('Vedtak', citizen, {
      platformPublicKey: platform.key.toPublic().armor(),
      signingPrivateKey: signingKey,
    })),
    replies: { allowed: true },
  };
  letterId = (await (await root.submitLetter()).execute(submitCommand(agencyId, submission))).body
    .id;
  await root.deliverLetter(await inlineOpener(config)).execute(letterId);
  owner = ownerScope(await root.mailboxes.findOrCreate(db.manager, citizen));
  send = root.sendReply;
  replies = root.mailboxReplies;
});

afterAll(async () => {
  await producer.queue('deliver').obliterate({ force: true });
  await producer.close();
  await close();
});

describe('who may reply for a mailbox', () => {
  it('refuses a read-only scope with 403, storing nothing', async () => {
    for (const scope of [readOnly(owner), delegate('read')])
      await expect(send.toLetter(scope, letterId, await sealed('svar'))).rejects.toMatchObject({
        status: 403,
        code: 'mailbox.read_only',
      });
    expect(await replyCount()).toBe(0);
  });

  it('takes a reply from a delegate who may write, and records the role it was written in', async () => {
    const sent = await send.toLetter(delegate('read_write'), letterId, await sealed('på vegne'));
    const [listed] = (await replies.ofLetter(owner, letterId)).items;
    expect(listed).toMatchObject({ id: sent.id, writtenAs: 'grantee' });
    expect(listed!.receipt).toMatchObject({ type: 'reply_received', replyId: sent.id });
    // In the owner's access log, as a delegate's other actions are, with the role.
    const log = await root.citizenMailbox.accessLog(owner, 10);
    expect(log.items).toContainEqual(
      expect.objectContaining({
        action: 'mailbox.reply_sent',
        actor: expect.objectContaining({ kind: 'person', role: 'grantee' }),
      }),
    );
  });
});
