import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opt-in (docs/scaling.md "Partitioning"): run by `db partition`, never by `db migrate`.
 *
 * The tables that grow with letters become range-partitioned: `letters` and `access_log` by
 * their UUIDv7 id, `documents` and `receipts` by their letter's id (so a letter and everything
 * it owns share one month), `receipt_log` by log index. Rows are moved, so the whole migration
 * holds its tables exclusively: run it with the API and workers stopped.
 */
export class PartitionLettersAndReceipts1764400000000 implements MigrationInterface {
  name = 'PartitionLettersAndReceipts1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FUNCTIONS);
    await rebuild(q, PARTITIONED);
  }

  async down(q: QueryRunner): Promise<void> {
    await rebuild(q, PLAIN);
    await q.query(`
      DROP FUNCTION postkasse_create_partitions(int), postkasse_create_month_partitions(timestamptz, timestamptz),
        postkasse_create_log_partitions(bigint, bigint), uuid_v7_floor(timestamptz);
    `);
  }
}

/** Ordered so that a table comes after the tables it references. */
const TABLES = ['letters', 'documents', 'receipts', 'receipt_log', 'access_log'] as const;
type Table = (typeof TABLES)[number];

interface Shape {
  partitionBy: Record<Table, string>;
  /** Primary keys and unique constraints, by name: on a partitioned table they must include its key. */
  keys: Record<Table, string[]>;
  /** Foreign keys that differ between the shapes; every other one is carried over as it is. */
  foreignKeys: { table: string; constraint: string }[];
  /** Runs on the new, empty tables, with the old ones still there as `<name>_old`. */
  prepare: string;
}

const FUNCTIONS = `
  -- The first 48 bits of a UUIDv7 are Unix milliseconds: every id made at or after t sorts at or
  -- after this one, so a month of ids is one contiguous range.
  CREATE FUNCTION uuid_v7_floor(t timestamptz) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
    SELECT (lpad(to_hex(floor(extract(epoch FROM t) * 1000)::bigint), 12, '0')
            || '00000000000000000000')::uuid
  $$;

  -- One partition per UTC month and table of the id-ranged family. A month whose rows already
  -- went to the default partition is skipped with a warning rather than failing the whole run.
  CREATE FUNCTION postkasse_create_month_partitions(since timestamptz, through timestamptz)
  RETURNS SETOF text LANGUAGE plpgsql AS $$
  DECLARE
    m timestamp := date_trunc('month', since AT TIME ZONE 'UTC');
    parent text;
    part text;
  BEGIN
    WHILE m <= date_trunc('month', through AT TIME ZONE 'UTC') LOOP
      FOREACH parent IN ARRAY ARRAY['letters', 'documents', 'receipts', 'access_log'] LOOP
        part := parent || '_' || to_char(m, 'YYYY_MM');
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        BEGIN
          EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent,
            uuid_v7_floor(m AT TIME ZONE 'UTC'), uuid_v7_floor((m + interval '1 month') AT TIME ZONE 'UTC'));
          RETURN NEXT part;
        EXCEPTION WHEN check_violation THEN
          RAISE WARNING '% not created: %_default holds rows of that month', part, parent;
        END;
      END LOOP;
      m := m + interval '1 month';
    END LOOP;
  END $$;

  -- Log partitions of \`chunk\` indexes each, until one whole empty partition lies beyond both
  -- \`through\` and the highest index in the log. Statement triggers are not inherited, so each
  -- partition gets the log's TRUNCATE refusal of its own.
  CREATE FUNCTION postkasse_create_log_partitions(through bigint DEFAULT NULL, chunk bigint DEFAULT 100000000)
  RETURNS SETOF text LANGUAGE plpgsql AS $$
  DECLARE
    lo bigint;
    top bigint := greatest(through, (SELECT max(log_index) FROM receipt_log), -1) + chunk;
    part text;
  BEGIN
    SELECT coalesce(max((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''?(\\d+)''?\\)'))[1]::bigint), 0)
      INTO lo
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'receipt_log'::regclass;
    WHILE lo <= top LOOP
      part := 'receipt_log_' || lo;
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF receipt_log FOR VALUES FROM (%s) TO (%s)', part, lo, lo + chunk);
        EXECUTE format('CREATE TRIGGER receipt_log_no_truncate BEFORE TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()', part);
      EXCEPTION WHEN check_violation THEN
        RAISE WARNING '% not created: receipt_log_default holds indexes from %', part, lo;
        RETURN;
      END;
      RETURN NEXT part;
      lo := lo + chunk;
    END LOOP;
  END $$;

  -- What an operator runs from cron (\`db partitions-ahead\`): months up to months_ahead from now,
  -- and log partitions one chunk ahead of the log.
  CREATE FUNCTION postkasse_create_partitions(months_ahead int DEFAULT 3)
  RETURNS SETOF text LANGUAGE sql AS $$
    SELECT postkasse_create_month_partitions(now(), now() + make_interval(months => months_ahead))
    UNION ALL
    SELECT postkasse_create_log_partitions()
  $$;
`;

const PARTITIONED: Shape = {
  partitionBy: {
    letters: 'PARTITION BY RANGE (id)',
    documents: 'PARTITION BY RANGE (letter_id)',
    receipts: 'PARTITION BY RANGE (letter_id)',
    receipt_log: 'PARTITION BY RANGE (log_index)',
    access_log: 'PARTITION BY RANGE (id)',
  },
  keys: {
    letters: ['letters_pkey PRIMARY KEY (id)'],
    // A document is made with its letter and always looked up with its letter id: unique with it
    // is what a partition can check.
    documents: [
      'documents_pkey PRIMARY KEY (id, letter_id)',
      'documents_letter_id_position_key UNIQUE (letter_id, position)',
    ],
    // A receipt's log index has no global unique index any more; it is pinned instead by the log
    // entry's foreign key below, which must match (id, letter_id, log_index) exactly.
    receipts: [
      'receipts_pkey PRIMARY KEY (id, letter_id)',
      'receipts_letter_id_type_kind_key UNIQUE (letter_id, type, kind)',
      'receipts_id_letter_id_log_index_key UNIQUE (id, letter_id, log_index)',
    ],
    // Leads with receipt_id so that joins on it (sender receipts, webhook deliveries) keep an index.
    receipt_log: [
      'receipt_log_pkey PRIMARY KEY (log_index)',
      'receipt_log_receipt_id_log_index_key UNIQUE (receipt_id, log_index)',
    ],
    access_log: ['access_log_pkey PRIMARY KEY (id)'],
  },
  foreignKeys: [
    // An entry may only name its receipt at the index the receipt records; a receipt records one
    // index, so it is in the log at most once, which UNIQUE (receipt_id) said before. Deferred:
    // the sequencer appends the entry before it records the index.
    {
      table: 'receipt_log',
      constraint: `receipt_log_receipt_fkey FOREIGN KEY (receipt_id, letter_id, log_index)
        REFERENCES receipts (id, letter_id, log_index) DEFERRABLE INITIALLY DEFERRED`,
    },
    // A delivery carries the log entry it announces; the entry in turn names its receipt.
    {
      table: 'webhook_deliveries',
      constraint: `webhook_deliveries_log_entry_fkey FOREIGN KEY (receipt_id, log_index)
        REFERENCES receipt_log (receipt_id, log_index)`,
    },
  ],
  prepare: `
    CREATE TABLE letters_default PARTITION OF letters DEFAULT;
    CREATE TABLE documents_default PARTITION OF documents DEFAULT;
    CREATE TABLE receipts_default PARTITION OF receipts DEFAULT;
    CREATE TABLE access_log_default PARTITION OF access_log DEFAULT;
    CREATE TABLE receipt_log_default PARTITION OF receipt_log DEFAULT;
    CREATE TRIGGER receipt_log_no_truncate BEFORE TRUNCATE ON receipt_log_default
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    SELECT postkasse_create_month_partitions(
      least(now(), (SELECT min(created_at) FROM letters_old), (SELECT min(at) FROM access_log_old)),
      now() + interval '3 months');
    SELECT postkasse_create_log_partitions((SELECT max(log_index) FROM receipt_log_old));
  `,
};

/** The schema of migrations/ as it was before partitioning. */
const PLAIN: Shape = {
  partitionBy: {
    letters: '',
    documents: '',
    receipts: '',
    receipt_log: '',
    access_log: '',
  },
  keys: {
    letters: ['letters_pkey PRIMARY KEY (id)'],
    documents: [
      'documents_pkey PRIMARY KEY (id)',
      'documents_letter_id_position_key UNIQUE (letter_id, position)',
    ],
    receipts: [
      'receipts_pkey PRIMARY KEY (id)',
      'receipts_log_index_key UNIQUE (log_index)',
      'receipts_letter_id_type_kind_key UNIQUE (letter_id, type, kind)',
    ],
    receipt_log: [
      'receipt_log_pkey PRIMARY KEY (log_index)',
      'receipt_log_receipt_id_key UNIQUE (receipt_id)',
    ],
    access_log: ['access_log_pkey PRIMARY KEY (id)'],
  },
  foreignKeys: [
    {
      table: 'receipt_log',
      constraint: 'receipt_log_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES receipts(id)',
    },
    {
      table: 'webhook_deliveries',
      constraint:
        'webhook_deliveries_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES receipts(id)',
    },
  ],
  prepare: '',
};

const constraintName = (definition: string) => definition.split(/\s/, 1)[0];

/**
 * Moves the tables into the given shape. Foreign keys, indexes, triggers, grants and owned
 * sequences are read from the catalog and put back as they were, so what later migrations add to
 * these tables survives a round trip; only the keys and foreign keys of the shapes are spelled out.
 */
async function rebuild(q: QueryRunner, shape: Shape): Promise<void> {
  const tables = [...TABLES];
  const reshaped = new Set(
    [...PARTITIONED.foreignKeys, ...PLAIN.foreignKeys].map((f) => constraintName(f.constraint)),
  );
  const foreignKeys = (await q.query(
    `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint
      WHERE contype = 'f' AND conparentid = 0
        AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[]))`,
    [tables],
  )) as { tbl: string; name: string; definition: string }[];
  const indexes = (await q.query(
    `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                         WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)`,
    [tables],
  )) as { definition: string }[];
  const triggers = (await q.query(
    `SELECT pg_get_triggerdef(oid) AS definition FROM pg_trigger
      WHERE tgrelid = ANY($1::regclass[]) AND NOT tgisinternal AND tgparentid = 0`,
    [tables],
  )) as { definition: string }[];
  const sequences = (await q.query(
    `SELECT s.oid::regclass::text AS sequence, d.refobjid::regclass::text AS tbl, a.attname AS col
       FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE d.refobjid = ANY($1::regclass[]) AND d.deptype = 'a'`,
    [tables],
  )) as { sequence: string; tbl: string; col: string }[];
  const grants = (await q.query(
    `SELECT c.oid::regclass::text AS tbl, a.privilege_type AS privilege,
            CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = ANY($1::regclass[]) AND a.grantee <> c.relowner`,
    [tables],
  )) as { tbl: string; privilege: string; grantee: string }[];

  const statements: string[] = [];
  for (const fk of foreignKeys) statements.push(`ALTER TABLE ${fk.tbl} DROP CONSTRAINT ${fk.name}`);
  for (const s of sequences) statements.push(`ALTER SEQUENCE ${s.sequence} OWNED BY NONE`);
  for (const t of tables) statements.push(`ALTER TABLE ${t} RENAME TO ${t}_old`);
  for (const t of tables)
    statements.push(
      `CREATE TABLE ${t} (LIKE ${t}_old INCLUDING ALL EXCLUDING INDEXES) ${shape.partitionBy[t]}`,
    );
  await q.query(statements.join(';\n'));
  if (shape.prepare) await q.query(shape.prepare);

  const after: string[] = [];
  for (const t of tables) after.push(`INSERT INTO ${t} SELECT * FROM ${t}_old`);
  after.push(`DROP TABLE ${tables.map((t) => `${t}_old`).join(', ')}`);
  for (const t of tables)
    for (const key of shape.keys[t]) after.push(`ALTER TABLE ${t} ADD CONSTRAINT ${key}`);
  // A partitioned parent's index reads "ON ONLY"; recreated that way it would cover no partition.
  for (const i of indexes) after.push(i.definition.replace(' ON ONLY ', ' ON '));
  for (const tr of triggers) after.push(tr.definition);
  for (const s of sequences) after.push(`ALTER SEQUENCE ${s.sequence} OWNED BY ${s.tbl}.${s.col}`);
  for (const g of grants) after.push(`GRANT ${g.privilege} ON ${g.tbl} TO ${g.grantee}`);
  for (const fk of foreignKeys)
    if (!reshaped.has(fk.name))
      after.push(`ALTER TABLE ${fk.tbl} ADD CONSTRAINT ${fk.name} ${fk.definition}`);
  for (const fk of shape.foreignKeys)
    after.push(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.constraint}`);
  // The planner knows nothing of the new tables until they are analysed.
  after.push(`ANALYZE ${tables.join(', ')}`);
  await q.query(after.join(';\n'));
}
