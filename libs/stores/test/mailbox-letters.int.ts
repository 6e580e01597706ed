import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { ownerScope, readOnly, type MailboxScope } from '#access';
import {
  MailboxLettersStore,
  MailboxesStore,
  ReceiptsStore,
  Sql,
  type CandidateCursor,
} from '#stores';
import { testDatabase } from '../../../test/support/fixtures';

let db: DataSource;
let close: () => Promise<void>;
let sql: Sql;
let letters: MailboxLettersStore;

interface Seeded {
  scope: MailboxScope;
  letterId: string;
  documentId: string;
}

async function mailboxWithLetter(agencyId: string, title: string): Promise<Seeded> {
  const mailboxId = uuidv7();
  await sql.run(
    `INSERT INTO mailboxes (id, national_id_hmac, recipient_ref, wrapped_data_key, master_key_version)
     VALUES ($1, $2, $3, $4, 1)`,
    [mailboxId, Buffer.from(mailboxId), `ref-${mailboxId}`, Buffer.alloc(32)],
  );
  const letterId = uuidv7();
  await sql.run(
    `INSERT INTO letters (id, agency_id, mailbox_id, title, state, delivered_at)
     VALUES ($1, $2, $3, $4, 'delivered', now())`,
    [letterId, agencyId, mailboxId, title],
  );
  const documentId = uuidv7();
  await sql.run(
    `INSERT INTO documents (id, letter_id, position, filename, media_type, received_sha256, sealed, size)
     VALUES ($1, $2, 0, 'vedtak.txt', 'text/plain', $3, $4, 4)`,
    [documentId, letterId, Buffer.alloc(32), Buffer.from('data')],
  );
  return { scope: ownerScope({ id: mailboxId }), letterId, documentId };
}

let mine: Seeded;
let theirs: Seeded;

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  sql = new Sql(db);
  letters = new MailboxLettersStore(sql);
  const agencyId = uuidv7();
  await sql.run('INSERT INTO agencies (id, name) VALUES ($1, $2)', [agencyId, 'Skatteetaten']);
  mine = await mailboxWithLetter(agencyId, 'Mitt vedtak');
  theirs = await mailboxWithLetter(agencyId, 'Naboens vedtak');
});
afterAll(() => close());

describe('the mailbox letters store, read through a scope', () => {
  it("lists only the scope's own letters, even when the search matches another mailbox's", async () => {
    const all = await letters.pageOfInbox(mine.scope, { folder: 'inbox', limit: 10 });
    expect(all.map((l) => l.id)).toEqual([mine.letterId]);
    const searched = await letters.pageOfInbox(mine.scope, {
      folder: 'inbox',
      q: 'Naboens',
      limit: 10,
    });
    expect(searched).toEqual([]);
  });

  it("never returns another mailbox's letter, document or sender keys by id", async () => {
    expect(await letters.letterInScope(mine.scope, theirs.letterId)).toBeNull();
    expect(await letters.documentToRead(mine.scope, theirs.letterId, theirs.documentId)).toBeNull();
    expect(await letters.senderKeys(mine.scope, theirs.letterId)).toBeNull();
    expect(await letters.letterInScope(mine.scope, mine.letterId)).toMatchObject({
      id: mine.letterId,
      title: 'Mitt vedtak',
      documents: [{ id: mine.documentId, filename: 'vedtak.txt', size: 4 }],
    });
  });

  it("counts only the scope's own unread letters", async () => {
    expect(await letters.summary(mine.scope)).toEqual({ unread: 1, needsAction: 0 });
  });

  it('counts through the inbox index, not a scan of every letter', async () => {
    // With sequential scans priced out, a query the partial index cannot serve still scans.
    const scans = await sql.transaction(async (tx) => {
      await tx.run('SET LOCAL enable_seqscan = off');
      await new MailboxLettersStore(tx).summary(mine.scope);
      return tx.maybeOne(
        `SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'letters'`,
        [],
        (r) => ({ seq: Number(r.seq_scan), index: Number(r.idx_scan) }),
      );
    });
    expect(scans?.seq).toBe(0);
    expect(scans?.index).toBeGreaterThan(0);
  });

  it("cannot file another mailbox's letter", async () => {
    await sql.transaction((tx) => letters.file(tx, mine.scope, theirs.letterId, 'trash'));
    expect(await letters.letterInScope(theirs.scope, theirs.letterId)).toMatchObject({
      folder: 'inbox',
    });
  });

  it('refuses to file or change settings through a read-only scope, and changes nothing', async () => {
    const reader = readOnly(mine.scope);
    await expect(
      sql.transaction((tx) => letters.file(tx, reader, mine.letterId, 'archive')),
    ).rejects.toMatchObject({ status: 403, code: 'mailbox.read_only' });
    await expect(
      new MailboxesStore(sql).updateSettings(reader, { language: 'en' }),
    ).rejects.toMatchObject({ status: 403 });
    expect(await letters.letterInScope(reader, mine.letterId)).toMatchObject({ folder: 'inbox' });
    expect(await new MailboxesStore(sql).settings(reader)).toMatchObject({ language: 'nb' });
  });

  it("marks only the scope's own letter unread, never through a read-only scope", async () => {
    const marked = async (id: string) =>
      (await sql.run('SELECT marked_unread FROM letters WHERE id = $1', [id])).rows[0]
        ?.marked_unread;
    await sql.transaction((tx) => letters.markUnread(tx, mine.scope, theirs.letterId));
    expect(await marked(theirs.letterId)).toBe(false);
    await expect(
      sql.transaction((tx) => letters.markUnread(tx, readOnly(mine.scope), mine.letterId)),
    ).rejects.toMatchObject({ status: 403, code: 'mailbox.read_only' });
    expect(await marked(mine.letterId)).toBe(false);
    await sql.transaction((tx) => letters.markUnread(tx, mine.scope, mine.letterId));
    expect(await marked(mine.letterId)).toBe(true);
    expect(await letters.letterInScope(mine.scope, mine.letterId)).toMatchObject({ unread: true });
  });
});

describe("the mailbox export's reads", () => {
  it('pages through letters delivered in the same microsecond without skipping one', async () => {
    const agencyId = uuidv7();
    await sql.run('INSERT INTO agencies (id, name) VALUES ($1, $2)', [agencyId, 'NAV']);
    const { scope } = await mailboxWithLetter(agencyId, 'Første');
    const ids = Array.from({ length: 5 }, () => uuidv7());
    // One statement: one now(), so all five share a delivered_at with its microseconds.
    await sql.run(
      `INSERT INTO letters (id, agency_id, mailbox_id, title, state, delivered_at)
       SELECT id, $2, $3, 'Samme øyeblikk', 'delivered', now() FROM unnest($1::uuid[]) AS id`,
      [ids, agencyId, scope.mailboxId],
    );
    const seen: string[] = [];
    let after: CandidateCursor | null = null;
    for (;;) {
      const rows = await letters.pageToExport(scope, 'inbox', after, 2);
      seen.push(...rows.slice(0, 2).map((r) => r.letter.id));
      if (rows.length <= 2) break;
      after = rows[1]!.position;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(await letters.pageToExport(mine.scope, 'archive', null, 10)).toEqual([]);
  });

  it('reads the logged receipts of several letters below a tree size, in log order', async () => {
    const receipts = new ReceiptsStore(sql);
    expect(await receipts.entriesOfLetters([mine.letterId, theirs.letterId], 10)).toEqual([]);
    const agencyId = uuidv7();
    await sql.run('INSERT INTO agencies (id, name) VALUES ($1, $2)', [agencyId, 'Lånekassen']);
    const rows = [mine.letterId, theirs.letterId, mine.letterId].map((letterId, index) => ({
      letterId,
      index,
      receiptId: uuidv7(),
    }));
    for (const r of rows) {
      await sql.run(
        `INSERT INTO receipts (id, letter_id, agency_id, type, kind, at, payload, log_index)
         VALUES ($1, $2, $3, $4, '', now(), '{}', $5)`,
        [r.receiptId, r.letterId, agencyId, r.index === 2 ? 'read' : 'delivered', r.index],
      );
      await sql.run(
        `INSERT INTO receipt_log (log_index, receipt_id, letter_id, agency_id, type, at, leaf_hash, jws)
         VALUES ($1, $2, $3, $4, 'delivered', now(), $5, $6)`,
        [r.index, r.receiptId, r.letterId, agencyId, Buffer.alloc(32), `jws-${r.index}`],
      );
    }
    expect(await receipts.entriesOfLetters([mine.letterId], 3)).toEqual([
      { letterId: mine.letterId, index: 0, jws: 'jws-0' },
      { letterId: mine.letterId, index: 2, jws: 'jws-2' },
    ]);
    // Entries from the tree size on are not covered by the head: left out.
    expect(await receipts.entriesOfLetters([mine.letterId, theirs.letterId], 2)).toEqual([
      { letterId: mine.letterId, index: 0, jws: 'jws-0' },
      { letterId: theirs.letterId, index: 1, jws: 'jws-1' },
    ]);
  });
});
