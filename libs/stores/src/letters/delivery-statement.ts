import { TIMESTAMP_OF } from '../letters.store';
import type { DeliveryMove } from './delivery';

/**
 * Builds the one delivery statement: the letter moves only if it is still in `from` and as
 * verified (`moved` is otherwise empty and nothing else writes). With it go the receipt, the
 * outbox rows and the documents' sealed bytes. Each document's bytes are a parameter of their
 * own, sent in the binary protocol.
 */
export function deliveryStatement(move: DeliveryMove): { text: string; params: unknown[] } {
  const { receipt, jobs, documents } = move;
  const params: unknown[] = [
    move.letterId,
    move.to,
    move.from,
    move.wasVerified,
    receipt.id,
    receipt.agencyId,
    receipt.type,
    receipt.at,
    receipt.payload,
    jobs.map((j) => j.queue),
    jobs.map((j) => j.jobId),
    jobs.map((j) => j.subjectId),
  ];
  // The letter's timestamp is its receipt's `at` ($8): PostgreSQL refuses a parameter that
  // no part of the statement uses, as it cannot tell its type.
  const column = TIMESTAMP_OF[move.to];
  const storeVerified = !move.wasVerified && documents.length > 0;
  let documentsWrite = `UPDATE documents SET received = NULL
      WHERE letter_id = $1 AND EXISTS (SELECT 1 FROM moved)`;
  if (storeVerified) {
    const rows = documents.map((d) => {
      const first = params.length + 1;
      params.push(d.id, d.sealed, d.plaintextSha256, d.size, d.signature, d.signer);
      return `($${first}::uuid, $${first + 1}::bytea, $${first + 2}::bytea, $${first + 3}::int,
               $${first + 4}::bytea, $${first + 5}::text)`;
    });
    documentsWrite = `UPDATE documents d SET sealed = COALESCE(v.sealed, d.received),
            plaintext_sha256 = v.plaintext_sha256, size = v.size,
            signature = COALESCE(v.signature, d.received_signature),
            signer_fingerprint = v.signer, received = NULL
       FROM (VALUES ${rows.join(', ')}) AS v(id, sealed, plaintext_sha256, size, signature, signer)
      WHERE d.letter_id = $1 AND d.id = v.id AND EXISTS (SELECT 1 FROM moved)`;
  }
  const text = `WITH moved AS (
       UPDATE letters SET state = $2${column ? `, ${column} = $8::timestamptz` : ''}
              ${storeVerified ? ', verified_at = now()' : ''}
        WHERE id = $1 AND state = $3 AND (verified_at IS NOT NULL) = $4
        RETURNING id
     ), receipt AS (
       INSERT INTO receipts (id, letter_id, agency_id, type, kind, at, payload)
       SELECT $5, id, $6, $7, '', $8, $9 FROM moved
       ON CONFLICT (letter_id, type, kind) DO NOTHING
     ), documents_written AS (
       ${documentsWrite}
     )
     INSERT INTO outbox (queue, job_id, subject_id)
     SELECT t.* FROM moved, unnest($10::text[], $11::text[], $12::uuid[]) AS t
     RETURNING id, queue, subject_id`;
  return { text, params };
}
