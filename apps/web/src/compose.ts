// What a citizen may send an agency: the same limits as the letters agencies send
// (libs/letters LETTER_LIMITS and ALLOWED_MEDIA_TYPES; compose.spec.ts keeps the two equal).
export const REPLY_LIMITS = {
  maxDocuments: 10,
  maxDocumentBytes: 20 * 1024 * 1024,
  maxFilename: 255,
} as const;

export const REPLY_MEDIA_TYPES: readonly string[] = [
  'application/pdf',
  'text/plain',
  'text/html',
  'text/csv',
  'image/png',
  'image/jpeg',
  'image/gif',
  'application/xml',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.oasis.opendocument.text',
];

// As the API's filename rule: no control characters, no path separators.
// eslint-disable-next-line no-control-regex
const BAD_FILENAME = /[\u0000-\u001f\u007f-\u009f/\\]/;

export interface Attachment {
  name: string;
  type: string;
  size: number;
}

export type AttachmentProblem =
  | { problem: 'tooMany'; max: number }
  | { problem: 'tooLarge'; name: string }
  | { problem: 'badType'; name: string }
  | { problem: 'badName'; name: string };

/**
 * Why the attachments cannot go as they are, before anything is encrypted: the API would refuse
 * them anyway, and the citizen learns which file to change. The text itself is one document.
 */
export function checkAttachments(
  files: readonly Attachment[],
  withText: boolean,
): AttachmentProblem | null {
  const max = REPLY_LIMITS.maxDocuments - (withText ? 1 : 0);
  if (files.length > max) return { problem: 'tooMany', max };
  for (const file of files) {
    if (!REPLY_MEDIA_TYPES.includes(file.type)) return { problem: 'badType', name: file.name };
    if (file.size > REPLY_LIMITS.maxDocumentBytes) return { problem: 'tooLarge', name: file.name };
    if (!file.name || file.name.length > REPLY_LIMITS.maxFilename || BAD_FILENAME.test(file.name))
      return { problem: 'badName', name: file.name };
  }
  return null;
}
