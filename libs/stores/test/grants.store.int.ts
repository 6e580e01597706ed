import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { decideAccess } from '#access';
import { GrantsStore, MailboxesStore, Sql, personRefOf, type NewGrant } from '#stores';
import { testDatabase } from '../../../test/support/fixtures';

let db: DataSource;
let close: () => Promise<void>;
let sql: Sql;
let grants: GrantsStore;

async function personMailbox(hmac: Buffer, name?: string): Promise<string> {
  const id = uuidv7();
  await sql.run(
    `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, wrapped_data_key, master_key_version,
       display_name)
     VALUES ($1, $2, $3, $4, 1, $5)`,
    [id, hmac, `ref-${id}`, Buffer.alloc(32), name ?? null],
  );
  return id;
}

const owner = Buffer.from('owner-hmac-0123456789abcdef');
const grantee = Buffer.from('grantee-hmac-0123456789abcd');
let mailboxId: string;

const grantOf = (fields: Partial<NewGrant> = {}): NewGrant => ({
  mailboxId,
  granteeHmac: grantee,
  role: 'grantee',
  access: 'read',
  confidential: false,
  until: null,
  grantedByKind: 'person',
  grantedBy: personRefOf(owner),
  ...fields,
});

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  sql = new Sql(db);
  grants = new GrantsStore(sql);
  mailboxId = await personMailbox(owner);
  await personMailbox(grantee, 'Rita Leser');
});
afterAll(() => close());

describe('the grants store', () => {
  it('replaces the standing grant of the same mailbox, grantee and role, keeping the old one', async () => {
    const first = await grants.grant(grantOf());
    const second = await grants.grant(grantOf({ access: 'read_write' }));
    expect(second.id).not.toBe(first.id);
    const standing = await grants.ofMailbox(mailboxId);
    expect(standing.map((g) => [g.id, g.access])).toEqual([[second.id, 'read_write']]);
    const { rows } = await sql.run('SELECT revoked_at FROM grants WHERE id = $1', [first.id]);
    expect(rows[0].revoked_at).toBeInstanceOf(Date);
  });

  it('shows the grantee by the name on their own mailbox, and decodes to what decideAccess takes', async () => {
    const [grant] = await grants.standingOf(grantee);
    expect(grant).toMatchObject({ granteeName: 'Rita Leser', role: 'grantee', mailboxId });
    const mailbox = (await new MailboxesStore(sql).findById(mailboxId))!;
    const scope = decideAccess(
      { personRef: personRefOf(grantee), administratorOf: [] },
      { id: mailbox.id, kind: 'person', ownerRef: personRefOf(mailbox.nationalIdHmac!) },
      [grant],
      new Date(),
    );
    expect(scope).not.toBe('none');
    expect(scope !== 'none' && scope.access).toBe('read_write');
  });

  it('revokes once: again changes nothing, and another mailbox has no such grant', async () => {
    const [grant] = await grants.ofMailbox(mailboxId);
    const revoked = await grants.revoke(mailboxId, grant.id, 'owner-ref');
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    const again = await grants.revoke(mailboxId, grant.id, 'someone-else');
    expect(again?.revokedAt?.getTime()).toBe(revoked!.revokedAt!.getTime());
    const { rows } = await sql.run('SELECT revoked_by FROM grants WHERE id = $1', [grant.id]);
    expect(rows[0].revoked_by).toBe('owner-ref');
    expect(await grants.revoke(uuidv7(), grant.id, 'x')).toBeNull();
    expect(await grants.standingOf(grantee)).toEqual([]);
  });
});
