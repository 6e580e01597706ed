const DOCUMENT_VIEW = /^\/v1\/document-views\/[^/]*(?:\/.*)?$/;

/**
 * A request's path as the request log keeps it: never its query (the email-confirmation
 * `token`, the mailbox search `q`), and for a document view neither the ticket, which opens the
 * document without a token, nor the filename, which may name the citizen.
 */
export function loggedPath(url: string): string {
  const path = url.split('?')[0];
  return DOCUMENT_VIEW.test(path) ? '/v1/document-views/{ticket}/{filename}' : path;
}
