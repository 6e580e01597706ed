export interface OpenPgpLimits {
  /** Size of the binary message after removing armor or base64. */
  maxDocumentBytes: number;
  /** Top-level packets of the message as received (session keys, encrypted data, markers). */
  maxPackets: number;
  /** Plaintext produced by decompression inside the encrypted message. */
  maxDecompressedBytes: number;
  /** Wall-clock limit for opening one document; absent means DEFAULT_OPENPGP_LIMITS.timeoutMs. */
  timeoutMs?: number;
}

export const DEFAULT_OPENPGP_LIMITS: OpenPgpLimits = Object.freeze({
  maxDocumentBytes: 20 * 1024 * 1024,
  maxPackets: 64,
  maxDecompressedBytes: 64 * 1024 * 1024,
  timeoutMs: 30_000,
});
