import type { Problem } from '#errors';
import { bytes, ColumnTypeError, json } from '../columns';
import type { Row, Sql } from '../sql';
import { acceptedLetter, type AcceptedLetter } from './sender';

/** One letter's answer in a batch: accepted (202) with the letter, or its 4xx problem. */
export type BatchItem =
  | ({ idempotencyKey: string; status: 202 } & AcceptedLetter)
  | { idempotencyKey: string | null; status: number; problem: Problem };

export interface BatchAnswer {
  requestSha256: Buffer;
  items: BatchItem[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeItem(value: unknown): BatchItem {
  if (!isRecord(value) || typeof value.status !== 'number')
    throw new ColumnTypeError('response', 'a batch item', value);
  const { idempotencyKey: key, status } = value;
  if (status === 202 && typeof key === 'string')
    return { idempotencyKey: key, status, ...acceptedLetter(value, 'response') };
  const p = value.problem;
  if (
    (typeof key !== 'string' && key !== null) ||
    !isRecord(p) ||
    typeof p.type !== 'string' ||
    typeof p.title !== 'string' ||
    typeof p.status !== 'number' ||
    typeof p.detail !== 'string' ||
    typeof p.code !== 'string'
  )
    throw new ColumnTypeError('response', 'a batch item', value);
  return {
    idempotencyKey: key,
    status,
    problem: {
      ...p,
      type: p.type,
      title: p.title,
      status: p.status,
      detail: p.detail,
      code: p.code,
    },
  };
}

function decodeBatch(r: Row): BatchAnswer {
  const value = json(r, 'response');
  if (!isRecord(value) || !Array.isArray(value.items))
    throw new ColumnTypeError('response', 'a batch answer', value);
  return { requestSha256: bytes(r, 'request_sha256'), items: value.items.map(decodeItem) };
}

/**
 * The answers to batch requests by their Idempotency-Key, per agency. The letters of a batch
 * are written by `SenderLettersStore.insertSubmission`, each with its own key.
 */
export class LetterBatchesStore {
  /** Holds the batch's key for the caller's transaction, or says another request holds it. */
  lockKey(tx: Sql, agencyId: string, key: string): Promise<boolean> {
    return tx.tryNamedTransactionLock(11, `${agencyId}/${key}`);
  }

  answerTo(tx: Sql, agencyId: string, key: string): Promise<BatchAnswer | null> {
    return tx.maybeOne(
      'SELECT request_sha256, response FROM letter_batches WHERE agency_id = $1 AND key = $2',
      [agencyId, key],
      decodeBatch,
    );
  }

  async record(
    tx: Sql,
    agencyId: string,
    key: string,
    requestSha256: Buffer,
    items: BatchItem[],
  ): Promise<void> {
    await tx.run(
      'INSERT INTO letter_batches (agency_id, key, request_sha256, response) VALUES ($1, $2, $3, $4)',
      [agencyId, key, requestSha256, { items }],
    );
  }
}
