// Small checks shared by the receipt and tree head parsers. They run on what a verifier reads
// back out of a signature, so they must not trust any field's type.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws unless `value` is an object whose keys are all in `required` or `optional`. */
export function assertShape(
  value: unknown,
  what: string,
  required: readonly string[],
  optional: readonly string[] = [],
): asserts value is JsonObject {
  if (!isObject(value)) throw new TypeError(`${what} must be an object`);
  for (const key of required) {
    if (!(key in value)) throw new TypeError(`${what} has no ${key}`);
  }
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new TypeError(`${what} has an unknown field ${key}`);
    }
  }
}

export function assertNonEmptyString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${what} must be a non-empty string`);
  }
}

export function assertIndex(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${what} must be a non-negative integer`);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
export function assertSha256Hex(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    throw new TypeError(`${what} must be a SHA-256 hash in lowercase hex`);
  }
}

// 32 bytes in unpadded base64url are 43 characters, the last one carrying only 4 bits.
const SHA256_BASE64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
export function assertSha256Base64url(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !SHA256_BASE64URL.test(value)) {
    throw new TypeError(`${what} must be a SHA-256 hash in base64url`);
  }
}

// RFC 3339 date-time. Date.parse alone accepts many other forms, and receipts are read by
// other people's software, so the form is checked as well as the value.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
export function assertTimestamp(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new TypeError(`${what} must be an RFC 3339 timestamp`);
  }
}
