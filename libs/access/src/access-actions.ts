/**
 * What a citizen's access log can say someone did. A closed list, so the response schema names
 * every code and the web client has a text for each in every language.
 */
export const ACCESS_ACTIONS = [
  'recipient.lookup',
  'audit.letter_evidence',
  // What an agency reported about the person's data in its own systems (POST /v1/access-notices).
  'notice.stored',
  'notice.looked_up',
  'notice.shared',
  'notice.corrected',
  'notice.deleted',
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
  'mailbox.reply_sent',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** The `action` of an access notice, as an agency sends it. */
export const NOTICE_ACTIONS = ['stored', 'looked_up', 'shared', 'corrected', 'deleted'] as const;
export type NoticeAction = (typeof NOTICE_ACTIONS)[number];

export const noticeAccessAction = (action: NoticeAction): AccessAction => `notice.${action}`;
