export { OpenPgpError, EnvelopeError, type OpenPgpErrorCode } from './errors';
export { DEFAULT_OPENPGP_LIMITS, type OpenPgpLimits } from './limits';
export {
  decodeDocumentContent,
  inspectMessage,
  streamedDocumentContent,
  WILDCARD_KEY_ID,
} from './intake';
export { inspectSealedTo } from './sealed-to';
export { sealReplyDocument, type ReplyKeys } from './reply-compose';
export { Base64Decoder, type DecodedBase64 } from './base64';
export {
  openDocument,
  verifyDetachedSignature,
  SIGNATURE_CLOCK_SKEW_MS,
  type AgencySigningKey,
  type OpenDocumentOptions,
  type OpenedDocument,
} from './open';
export { openAndSeal, type SealedDocument, type SealOptions } from './open-and-seal';
export {
  generatePlatformKey,
  readPlatformKey,
  readSigningKey,
  readEncryptionKey,
  type EncryptionKey,
  type GeneratedPlatformKey,
  type PlatformKey,
  type SigningKey,
} from './keys';
export {
  seal,
  unseal,
  documentAad,
  parseMasterKeys,
  wrapDataKey,
  unwrapDataKey,
  newDataKey,
  type MasterKeyring,
} from './envelope';
export { sha256 } from './hash';
export { withTimeout } from './timeout';
export { encryptAndSignForPlatform, encryptAndSignForRecipient } from './compose';
