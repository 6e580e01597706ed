import type { DataSource } from 'typeorm';
import { Sql, col } from '#stores';
import { testDatabase } from '../../../test/support/fixtures';

let db: DataSource;
let close: () => Promise<void>;
let sql: Sql;

beforeAll(async () => {
  ({ db, close } = await testDatabase());
  sql = new Sql(db);
  await sql.run('CREATE TABLE sql_probe (id int PRIMARY KEY, n bigint NOT NULL, b bytea)');
});
afterAll(() => close());

const probe = (r: Parameters<typeof col.int>[0]) => ({ id: col.int(r, 'id'), n: col.int(r, 'n') });

describe('Sql, the one way stores speak to PostgreSQL', () => {
  it('counts the rows a conditional update touched, 0 when its condition no longer holds', async () => {
    await sql.run('INSERT INTO sql_probe (id, n) VALUES (1, 1), (2, 1)');
    expect(await sql.count('UPDATE sql_probe SET n = 2 WHERE n = 1')).toBe(2);
    expect(await sql.count('UPDATE sql_probe SET n = 2 WHERE n = 1')).toBe(0);
  });

  it('decodes rows with the store’s decoder, bigint as a number', async () => {
    expect(await sql.rows('SELECT id, n FROM sql_probe ORDER BY id', [], probe)).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
    expect(await sql.maybeOne('SELECT id, n FROM sql_probe WHERE id = $1', [9], probe)).toBeNull();
  });

  it('rolls a transaction back whole, and joins the open one when nested', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await tx.run('INSERT INTO sql_probe (id, n) VALUES (3, 3)');
        await tx.transaction((inner) => inner.run('INSERT INTO sql_probe (id, n) VALUES (4, 4)'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await sql.count('SELECT id FROM sql_probe WHERE id IN (3, 4)')).toBe(0);
  });
});
