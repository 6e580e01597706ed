import type { DataSource, EntityManager } from 'typeorm';

/** A result row as the driver returns it; stores decode it with `columns.ts` before use. */
export type Row = Readonly<Record<string, unknown>>;

export interface Executed {
  rows: Row[];
  /** Rows a write touched (or a read returned): a conditional update that matched none is 0. */
  count: number;
}

type Target = DataSource | EntityManager;

/**
 * The one way stores speak SQL. TypeORM stays the connection and migration layer; stores write
 * plain statements (the single-statement CTEs are measured faster than ORM round trips) and
 * decode every row at this boundary, so no caller ever casts a query result.
 */
export class Sql {
  constructor(private readonly target: Target) {}

  /** Runs a statement and reports its rows and how many rows it touched. */
  async run(text: string, params: readonly unknown[] = []): Promise<Executed> {
    const manager = 'manager' in this.target ? this.target.manager : this.target;
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      const result = (await runner.query(text, [...params], true)) as {
        records: Row[];
        affected?: number;
      };
      const rows = Array.isArray(result.records) ? result.records : [];
      return { rows, count: result.affected ?? rows.length };
    } finally {
      if (runner !== manager.queryRunner) await runner.release();
    }
  }

  async rows<T>(text: string, params: readonly unknown[], decode: (r: Row) => T): Promise<T[]> {
    return (await this.run(text, params)).rows.map(decode);
  }

  async maybeOne<T>(
    text: string,
    params: readonly unknown[],
    decode: (r: Row) => T,
  ): Promise<T | null> {
    const [row] = (await this.run(text, params)).rows;
    return row === undefined ? null : decode(row);
  }

  /** Rows touched by a write; the caller decides what 0 means. */
  async count(text: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.run(text, params)).count;
  }

  /**
   * Takes a transaction-scoped advisory lock if no one holds it: how one of several workers
   * becomes the only sequencer or tree-head signer for this transaction.
   */
  async tryTransactionLock(key: number): Promise<boolean> {
    const [row] = (await this.run('SELECT pg_try_advisory_xact_lock($1) AS locked', [key])).rows;
    return row?.locked === true;
  }

  /**
   * The same for a name (an agency's Idempotency-Key): `space` keeps the names of one kind of
   * request apart from another's.
   */
  async tryNamedTransactionLock(space: number, name: string): Promise<boolean> {
    const [row] = (
      await this.run('SELECT pg_try_advisory_xact_lock(hashtextextended($1, $2)) AS locked', [
        name,
        space,
      ])
    ).rows;
    return row?.locked === true;
  }

  /** A transaction; inside it, stores are given the transaction's `Sql`. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const manager = 'manager' in this.target ? this.target.manager : this.target;
    if (manager.queryRunner?.isTransactionActive) return work(this);
    return manager.transaction((m) => work(new Sql(m)));
  }
}
