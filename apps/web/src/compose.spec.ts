// Runs in the root Jest `unit` project (pure TypeScript, no DOM).
import {
  ALLOWED_MEDIA_TYPES,
  LETTER_LIMITS,
} from '../../../libs/letters/src/sending/submission-schema';
import { checkAttachments, REPLY_LIMITS, REPLY_MEDIA_TYPES } from './compose';

describe('what a citizen may attach to a reply', () => {
  it('has the limits of letters', () => {
    expect(REPLY_LIMITS).toEqual({
      maxDocuments: LETTER_LIMITS.maxDocuments,
      maxDocumentBytes: LETTER_LIMITS.maxDocumentBytes,
      maxFilename: LETTER_LIMITS.maxFilename,
    });
    expect([...REPLY_MEDIA_TYPES].sort()).toEqual([...ALLOWED_MEDIA_TYPES].sort());
  });

  it('names the file that cannot go, and counts the text as one document', () => {
    const pdf = { name: 'klage.pdf', type: 'application/pdf', size: 1000 };
    expect(checkAttachments([pdf], true)).toBeNull();
    expect(checkAttachments(Array(10).fill(pdf), false)).toBeNull();
    expect(checkAttachments(Array(10).fill(pdf), true)).toEqual({ problem: 'tooMany', max: 9 });
    expect(checkAttachments([{ ...pdf, size: 20 * 1024 * 1024 + 1 }], true)).toEqual({
      problem: 'tooLarge',
      name: 'klage.pdf',
    });
    expect(
      checkAttachments([{ name: 'x.exe', type: 'application/x-msdownload', size: 1 }], true),
    ).toEqual({
      problem: 'badType',
      name: 'x.exe',
    });
  });
});
