import type { Response } from 'express';
import { INLINE_MEDIA_TYPES } from '#letters';

/**
 * A decrypted document as the citizen's browser gets it, from either route that serves one: its
 * stored type, never sniffed, sandboxed (an agency's HTML or SVG cannot run as the app), not
 * cached, and named by its filename.
 */
export function sendDocument(
  response: Response,
  doc: { filename: string; mediaType: string; content: Buffer },
): void {
  const disposition = INLINE_MEDIA_TYPES.has(doc.mediaType) ? 'inline' : 'attachment';
  response
    .status(200)
    .setHeader('Content-Type', doc.mediaType)
    .setHeader(
      'Content-Disposition',
      `${disposition}; filename*=UTF-8''${encodeURIComponent(doc.filename)}`,
    )
    .setHeader('X-Content-Type-Options', 'nosniff')
    .setHeader('Content-Security-Policy', 'sandbox')
    .setHeader('Cache-Control', 'private, no-store')
    .end(doc.content);
}
