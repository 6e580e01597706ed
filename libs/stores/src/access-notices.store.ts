import { bytes, ColumnTypeError, json } from './columns';
import type { Sql } from './sql';

/** What a notice request was answered, kept under its Idempotency-Key. */
export interface NoticeAnswer {
  requestSha256: Buffer;
  accepted: number;
}

/** The answers to access-notice requests by their Idempotency-Key, per agency. */
export class AccessNoticesStore {
  /** Holds the key for the caller's transaction, or says another request holds it. */
  lockKey(tx: Sql, agencyId: string, key: string): Promise<boolean> {
    return tx.tryNamedTransactionLock(13, `${agencyId}/${key}`);
  }

  answerTo(tx: Sql, agencyId: string, key: string): Promise<NoticeAnswer | null> {
    return tx.maybeOne(
      'SELECT request_sha256, response FROM access_notice_requests WHERE agency_id = $1 AND key = $2',
      [agencyId, key],
      (r) => {
        const value = json(r, 'response');
        if (
          typeof value !== 'object' ||
          value === null ||
          !('accepted' in value) ||
          typeof value.accepted !== 'number'
        )
          throw new ColumnTypeError('response', 'a notice answer', value);
        return { requestSha256: bytes(r, 'request_sha256'), accepted: value.accepted };
      },
    );
  }

  async record(tx: Sql, agencyId: string, key: string, answer: NoticeAnswer): Promise<void> {
    await tx.run(
      `INSERT INTO access_notice_requests (agency_id, key, request_sha256, response)
       VALUES ($1, $2, $3, $4)`,
      [agencyId, key, answer.requestSha256, { accepted: answer.accepted }],
    );
  }
}
