import { text } from './columns';
import type { Row } from './sql';

/** A keyset position: `at` as PostgreSQL prints it, since a Date drops the microseconds. */
export interface CandidateCursor {
  at: string;
  id: string;
}

/** Reads a `SELECT id, created_at::text AS at` row as a keyset position. */
export const decodeCandidate = (r: Row): CandidateCursor => ({
  at: text(r, 'at'),
  id: text(r, 'id'),
});
