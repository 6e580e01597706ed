import { EXPORT_ROOT } from './layout';

/** README.txt of an export: what is in it and how to check it, for the citizen and anyone. */
export function exportReadme(createdAt: Date): string {
  return `Your Postkasse mailbox, exported ${createdAt.toISOString()}

What is in this folder
  letters/ID/letter.json      one letter: sender, title, dates, folder, state, its documents
  letters/ID/documents/       the letter's documents, decrypted. Documents sent end-to-end
                              encrypted to your own key are as the sender sent them (.pgp):
                              open them with your private key (GnuPG: gpg --decrypt FILE).
  letters/ID/receipts.json    every receipt of the letter (accepted, delivered, read, ...) as
                              the platform signed it (a JWS), each with an inclusion proof
                              in the public receipt log
  access-log/NNNNN.json       who has looked at your data and why (lookups, notices from
                              agencies, auditors, people acting for your mailbox)
  access-log/evidence.json    the same entries with their leaves in the public transparency
                              log and inclusion proofs against a signed tree head, so that an
                              entry dropped, changed or backdated afterwards is caught
  tree-head.json              the signed head of the receipt log the proofs are against
  manifest.json               every other file with its SHA-256, so that any change is caught
  manifest.jws                the platform's signature over manifest.json

How to check it
  Anyone can check the archive without asking Postkasse, with the platform's public keys
  (the JWKS at /v1/platform/keys, or a copy of it):

    npm run cli -- evidence verify-export postkasse-export.tar --key JWKS

  It checks the manifest's signature and every file's SHA-256, every receipt's signature,
  every receipt's inclusion proof against the tree head, the tree head's signature, and that
  every decrypted document hashes to the plaintext hash (and every end-to-end document to the
  ciphertext hash) that the signed receipts state, and that every access-log entry has its
  leaf in the transparency log at the time it claims and every leaf its entry. It exits 0 and prints a summary, or exits 1
  naming the first file or receipt that does not check out.

  Receipts that were not yet in the log when the export was made have no proof ("null"); a
  later export proves them. Letters of an erased mailbox have no documents: their keys were
  destroyed, while their receipts remain.

The folder is called ${EXPORT_ROOT}/ when unpacked (tar -xf FILE).
`;
}
