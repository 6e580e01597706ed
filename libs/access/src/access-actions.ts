/**
 * What a citizen's access log can say someone did. A closed list, so the response schema names
 * every code and the web client has a text for each in every language.
 */
export const ACCESS_ACTIONS = [
  'recipient.lookup',
  'audit.letter_evidence',
  // What someone other than the owner did in the mailbox (a delegate, guardian, executor or an
  // organisation's people), named with the role they acted in.
  'mailbox.letter_opened',
  'mailbox.document_opened',
  'mailbox.letter_acknowledged',
  'mailbox.letter_filed',
  'mailbox.letter_deleted',
  'mailbox.letter_marked_unread',
  'mailbox.settings_changed',
  'mailbox.key_changed',
  'mailbox.access_granted',
  'mailbox.access_revoked',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];
