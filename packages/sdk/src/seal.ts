// The project's own OpenPGP composition (libs/crypto/src/compose.ts, which imports openpgp and
// nothing else), built into this package rather than copied, so the CLI, the tests and agencies
// encrypt exactly the same way.
export {
  encryptAndSignForPlatform,
  encryptAndSignForRecipient,
} from '../../../libs/crypto/src/compose';

/** A document before sealing: its bytes and how the citizen's client should show it. */
export interface PlainDocument {
  filename: string;
  mediaType: MediaType;
  content: Uint8Array;
}

/** The agency's armored private OpenPGP key (one the operator registered for it). */
export interface SigningKey {
  privateKey: string;
  passphrase?: string;
}

export type MediaType =
  | 'application/pdf'
  | 'text/plain'
  | 'text/html'
  | 'text/csv'
  | 'image/png'
  | 'image/jpeg'
  | 'image/gif'
  | 'application/xml'
  | 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
  | 'application/vnd.oasis.opendocument.text';
