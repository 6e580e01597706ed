import { invalid } from '#errors';

/**
 * What each position of a keyset cursor holds. A cursor comes back from the client, so each
 * value is checked for the type its SQL parameter is cast to: a crafted cursor must be a 400,
 * not a failed cast (a 500) in PostgreSQL.
 */
const PARTS = {
  /** As `Date.prototype.toISOString` writes it. */
  timestamp: (v: unknown): v is string =>
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) &&
    new Date(v).toISOString() === v,
  uuid: (v: unknown): v is string =>
    typeof v === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  /** A position in the receipt log (a bigint column); -1 is "before the first". */
  logIndex: (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= -1,
} as const;

export type CursorPart = keyof typeof PARTS;
type Decoded<P extends readonly CursorPart[]> = {
  [K in keyof P]: P[K] extends 'logIndex' ? number : string;
};

/** Opaque keyset cursors: base64url of JSON, validated on the way back in. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<const P extends readonly CursorPart[]>(
  cursor: string | undefined,
  parts: P,
  name = 'cursor',
): Decoded<P> | null {
  if (!cursor) return null;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    values = undefined;
  }
  if (
    Array.isArray(values) &&
    values.length === parts.length &&
    parts.every((part, i) => PARTS[part](values[i]))
  ) {
    return values as Decoded<P>;
  }
  throw invalid('request.invalid_cursor', `${name} is not one this API handed out`);
}

/**
 * A page of a feed in log order (the event feed, the replies feed): `after` decoded to the log
 * index to read after, and the page's cursor, always set, so an empty page says "nothing new"
 * and resuming from it never skips an entry.
 */
export async function logFeedPage<T extends { logIndex: number }>(
  after: string | undefined,
  read: (afterLogIndex: number) => Promise<T[]>,
): Promise<{ items: T[]; nextCursor: string }> {
  const start = decodeCursor(after, ['logIndex'], 'after');
  const from = start ? start[0] : -1;
  const items = await read(from);
  const last = items.length > 0 ? items[items.length - 1]!.logIndex : from;
  return { items, nextCursor: encodeCursor([last]) };
}
