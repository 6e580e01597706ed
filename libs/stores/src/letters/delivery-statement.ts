import { TIMESTAMP_OF } from '../letters.store';
import { RETURNING_JOB } from '../outbox.store';
import type { DeliveryMove } from './delivery';

/**
 * Builds the one delivery statement for any number of letters: each letter moves only if it is
 * still in its `from` state and as verified as it was read; a letter that has changed is left
 * out, and nothing is written for it. With each move go its receipt, its outbox rows and its
 * documents' sealed bytes, so the whole batch is one round trip and one commit. Every value is a
 * parameter of its own, the bytes sent in the binary protocol. It returns the staged outbox
 * rows; every move stages at least one, for its own letter, so the letters that moved are the
 * rows' subjects.
 */
export function deliveryStatement(moves: readonly DeliveryMove[]): {
  text: string;
  params: unknown[];
} {
  if (moves.length === 0) throw new Error('a delivery statement needs at least one move');
  const params: unknown[] = [];
  const p = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const seals = (m: DeliveryMove) => !m.wasVerified && m.documents.length > 0;
  const letters = moves.map((m) =>
    [
      p(m.letterId, 'uuid'),
      p(m.to, 'text'),
      p(m.from, 'text'),
      p(m.wasVerified, 'boolean'),
      p(seals(m), 'boolean'),
      p(m.receipt.at, 'timestamptz'),
      p(m.receipt.id, 'uuid'),
      p(m.receipt.agencyId, 'uuid'),
      p(m.receipt.type, 'text'),
      p(m.receipt.payload, 'jsonb'),
    ].join(', '),
  );
  const documents = moves
    .filter(seals)
    .flatMap((m) =>
      m.documents.map((d) =>
        [
          p(m.letterId, 'uuid'),
          p(d.id, 'uuid'),
          p(d.sealed, 'bytea'),
          p(d.plaintextSha256, 'bytea'),
          p(d.size, 'int'),
          p(d.signature, 'bytea'),
          p(d.signer, 'text'),
        ].join(', '),
      ),
    );
  const jobs = moves.flatMap((m) => m.jobs.map((j) => ({ letterId: m.letterId, ...j })));
  const jobColumns = [
    p(
      jobs.map((j) => j.letterId),
      'uuid[]',
    ),
    p(
      jobs.map((j) => j.queue),
      'text[]',
    ),
    p(
      jobs.map((j) => j.jobId),
      'text[]',
    ),
    p(
      jobs.map((j) => j.subjectId),
      'uuid[]',
    ),
    p(
      jobs.map((j) => j.afterMs ?? 0),
      'float8[]',
    ),
  ];
  // A state's own timestamp (`delivered_at`) is the receipt's `at`, for the letters moving there.
  const stamps = [...new Set(moves.map((m) => TIMESTAMP_OF[m.to]).filter((c) => c !== undefined))]
    .map(
      (column) =>
        `, ${column} = CASE WHEN v.to_state IN (${Object.entries(TIMESTAMP_OF)
          .filter(([, c]) => c === column)
          .map(([s]) => `'${s}'`)
          .join(', ')}) THEN v.at ELSE l.${column} END`,
    )
    .join('');
  const sealing =
    documents.length === 0
      ? ''
      : `sealed AS (
       UPDATE documents d SET sealed = COALESCE(s.sealed, d.received),
              plaintext_sha256 = s.plaintext_sha256, size = s.size,
              signature = COALESCE(s.signature, d.received_signature),
              signer_fingerprint = s.signer, received = NULL
         FROM (VALUES ${documents.map((row) => `(${row})`).join(', ')})
              AS s(letter_id, id, sealed, plaintext_sha256, size, signature, signer)
         JOIN moved ON moved.id = s.letter_id
        WHERE d.letter_id = s.letter_id AND d.id = s.id
     ), `;
  const text = `WITH v(letter_id, to_state, from_state, was_verified, seals, at, receipt_id, agency_id,
                  type, payload) AS (
       VALUES ${letters.map((row) => `(${row})`).join(', ')}
     ), moved AS (
       UPDATE letters l SET state = v.to_state${stamps},
              verified_at = CASE WHEN v.seals THEN now() ELSE l.verified_at END
         FROM v
        WHERE l.id = v.letter_id AND l.state = v.from_state
          AND (l.verified_at IS NOT NULL) = v.was_verified
        RETURNING l.id, v.seals, v.at
     ), receipt AS (
       INSERT INTO receipts (id, letter_id, agency_id, type, kind, at, payload)
       SELECT v.receipt_id, v.letter_id, v.agency_id, v.type, '', v.at, v.payload
         FROM v JOIN moved ON moved.id = v.letter_id
       ON CONFLICT (letter_id, type, kind) DO NOTHING
     ), ${sealing}dropped AS (
       -- Letters sealed before (verified ahead of publishAt) keep no bytes as received either.
       UPDATE documents d SET received = NULL FROM moved WHERE d.letter_id = moved.id AND NOT moved.seals
     )
     INSERT INTO outbox (queue, job_id, subject_id, due_at)
     SELECT t.queue, t.job_id, t.subject_id,
            CASE WHEN t.after_ms > 0 THEN moved.at + t.after_ms * interval '1 millisecond' END
       FROM moved JOIN unnest(${jobColumns.join(', ')}) AS t(letter_id, queue, job_id, subject_id, after_ms)
         ON t.letter_id = moved.id
     RETURNING ${RETURNING_JOB}`;
  return { text, params };
}
