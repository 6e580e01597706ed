import type { Row } from './sql';

/**
 * Decoders for the column types PostgreSQL hands back through `pg`, in one place: `bigint` and
 * `numeric` arrive as strings, `bytea` as Buffers, `timestamptz` as Dates. A value of another
 * type is a schema drift, which fails loudly here rather than as a wrong answer later.
 */
export class ColumnTypeError extends Error {
  constructor(column: string, expected: string, value: unknown) {
    super(`column ${column}: expected ${expected}, got ${value === null ? 'null' : typeof value}`);
    this.name = 'ColumnTypeError';
  }
}

function present(r: Row, name: string, expected: string): unknown {
  const value = r[name];
  if (value === null || value === undefined) throw new ColumnTypeError(name, expected, null);
  return value;
}

export function text(r: Row, name: string): string {
  const value = present(r, name, 'text');
  if (typeof value !== 'string') throw new ColumnTypeError(name, 'text', value);
  return value;
}

export function int(r: Row, name: string): number {
  const value = present(r, name, 'an integer');
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new ColumnTypeError(name, 'an integer', value);
  return n;
}

export function date(r: Row, name: string): Date {
  const value = present(r, name, 'a timestamp');
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new ColumnTypeError(name, 'a timestamp', value);
  return value;
}

export function bytes(r: Row, name: string): Buffer {
  const value = present(r, name, 'bytea');
  if (!Buffer.isBuffer(value)) throw new ColumnTypeError(name, 'bytea', value);
  return value;
}

export function bool(r: Row, name: string): boolean {
  const value = present(r, name, 'a boolean');
  if (typeof value !== 'boolean') throw new ColumnTypeError(name, 'a boolean', value);
  return value;
}

/** A `text[]` column: `pg` hands back an array of strings. */
export function texts(r: Row, name: string): string[] {
  const value = present(r, name, 'text[]');
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
    throw new ColumnTypeError(name, 'text[]', value);
  return value;
}

/** A `json`/`jsonb` column: its shape is the caller's to check. */
export function json(r: Row, name: string): unknown {
  return present(r, name, 'json');
}

/** The nullable twin of a decoder: `nullable(text)(row, 'x')` is `string | null`. */
export function nullable<T>(decode: (r: Row, name: string) => T) {
  return (r: Row, name: string): T | null =>
    r[name] === null || r[name] === undefined ? null : decode(r, name);
}

/** One of a closed set of strings (a state, a queue name), checked against the set. */
export function oneOf<const T extends string>(values: readonly T[]) {
  return (r: Row, name: string): T => {
    const value = text(r, name);
    if (!(values as readonly string[]).includes(value))
      throw new ColumnTypeError(name, values.join(' | '), value);
    return value as T;
  };
}

/** A `json_agg` column of objects, each decoded by `decode`; null or absent is an empty list. */
export function jsonRows<T>(r: Row, name: string, decode: (item: Row) => T): T[] {
  if (r[name] === null || r[name] === undefined) return [];
  const value = json(r, name);
  if (!Array.isArray(value)) throw new ColumnTypeError(name, 'a json array', value);
  return value.map((item: Row) => decode(item));
}
