/**
 * A body that could not be read. `type` and `status` follow body-parser's errors, which the
 * problem filter already turns into 413 (`entity.too.large`) or 400.
 */
export class BodyReadError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
