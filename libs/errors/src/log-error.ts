/** What of an error may reach the logs. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  /** The SQL text of a failed query: placeholders only, never the values. */
  query?: string;
  constraint?: string;
  cause?: LoggedError;
}

const MAX_CAUSES = 5;

/**
 * The error serializer for every log. Pino's own copies every enumerable property, and a failed
 * query carries its parameters (addresses, titles, document bytes) and the driver's `detail`
 * ("Key (…)=(…) already exists") with the values in it. Only a known set of fields is kept.
 */
export function loggedError(given: unknown, depth = 0): LoggedError {
  // pino-http hands its serializers pino's own serialization, with the error itself as `raw`.
  const raw = (given as { raw?: unknown } | null)?.raw;
  const error = raw instanceof Error ? raw : given;
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const e = error as Error & { code?: unknown; query?: unknown; constraint?: unknown };
  const driver = (error as { driverError?: { code?: unknown; constraint?: unknown } }).driverError;
  const code = e.code ?? driver?.code;
  const constraint = e.constraint ?? driver?.constraint;
  return {
    type: error.name || error.constructor.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof e.query === 'string' ? { query: e.query } : {}),
    ...(typeof constraint === 'string' ? { constraint } : {}),
    ...(error.cause !== undefined && depth < MAX_CAUSES
      ? { cause: loggedError(error.cause, depth + 1) }
      : {}),
  };
}
