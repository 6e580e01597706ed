import type { LetterState } from '#lifecycle';
import type { Sql } from '#stores';

/**
 * What the composition root hands the citizen's and the sender's use cases beyond the primary:
 * where their lag-tolerant reads go, and who counts the states their changes enter (metrics).
 * Writes, the reads a write decides on and the idempotency check always use the primary.
 */
export interface LetterUseCaseOptions {
  /** A streaming replica's `Sql`; absent: the primary. */
  reads?: Sql;
  /** Called after the commit of a change that moved a letter into `state`. */
  entered?: (state: LetterState) => void;
}
