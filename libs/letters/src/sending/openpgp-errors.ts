import { OpenPgpError } from '#crypto';
import { DomainError } from '#errors';

/** A malformed document is the sender's mistake (400, or 413 when too large). */
export function toDomainError(error: unknown, field: string): unknown {
  if (!(error instanceof OpenPgpError)) return error;
  const status = error.code === 'openpgp.too_large' ? 413 : 400;
  return new DomainError(status, error.code, `${field}: ${error.detail}`, { field });
}
