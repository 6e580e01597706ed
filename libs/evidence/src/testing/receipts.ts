import type { ReceiptPayload } from '../receipt-payload';

/** A well-formed receipt for tests; override what a test is about. */
export function sampleReceipt(overrides: Partial<ReceiptPayload> = {}): ReceiptPayload {
  return {
    letterId: '0190f1a2-7b3c-7d4e-8f90-123456789abc',
    type: 'delivered',
    at: '2025-03-01T12:00:00.000Z',
    agencyId: '0190f1a2-0000-7000-8000-000000000001',
    recipientRef: 'q1bOcdqpXl8J3Dbqk0dYpgYaPnbT7sFVlKsbDqtQdLE',
    documents: [{ ciphertextSha256: 'a'.repeat(64), plaintextSha256: 'b'.repeat(64) }],
    logIndex: 0,
    ...overrides,
  };
}
