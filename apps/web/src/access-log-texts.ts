import type { AccessLogEntry } from './api';
import type { MessageKey, Translate } from './i18n';

type Action = AccessLogEntry['action'];

/** A text for every action the API can name: a new code is a type error here until translated. */
export const ACTION_TEXTS: Record<Action, MessageKey> = {
  'recipient.lookup': 'action.recipient.lookup',
  'audit.letter_evidence': 'action.audit.letter_evidence',
  'notice.stored': 'action.notice.stored',
  'notice.looked_up': 'action.notice.looked_up',
  'notice.shared': 'action.notice.shared',
  'notice.corrected': 'action.notice.corrected',
  'notice.deleted': 'action.notice.deleted',
  'mailbox.letter_opened': 'action.mailbox.letter_opened',
  'mailbox.document_opened': 'action.mailbox.document_opened',
  'mailbox.letter_acknowledged': 'action.mailbox.letter_acknowledged',
  'mailbox.letter_filed': 'action.mailbox.letter_filed',
  'mailbox.letter_deleted': 'action.mailbox.letter_deleted',
  'mailbox.letter_marked_unread': 'action.mailbox.letter_marked_unread',
  'mailbox.settings_changed': 'action.mailbox.settings_changed',
  'mailbox.key_changed': 'action.mailbox.key_changed',
  'mailbox.access_granted': 'action.mailbox.access_granted',
  'mailbox.access_revoked': 'action.mailbox.access_revoked',
  'mailbox.reply_sent': 'action.mailbox.reply_sent',
};

type Actor = AccessLogEntry['actor'];

/** Who the entry names: an agency, an auditor, or a person in the role they acted in. */
export function actorMark(t: Translate, actor: Actor): string {
  if (actor.kind === 'person' && actor.role) return t(`role.${actor.role}`);
  return actor.kind === 'auditor' ? t('actorAuditor') : t('actorAgency');
}

/**
 * Purposes the platform fills in itself when the caller gave none (the auditor API's default):
 * shown in the reader's language. A purpose a person wrote is shown as they wrote it.
 */
export const DEFAULT_PURPOSES: Record<string, MessageKey> = {
  'Audit of a letter and its receipts': 'purpose.audit',
};

export function describeEntry(t: Translate, entry: Pick<AccessLogEntry, 'action' | 'purpose'>) {
  const purposeKey = DEFAULT_PURPOSES[entry.purpose];
  return {
    action: t(ACTION_TEXTS[entry.action]),
    purpose: purposeKey ? t(purposeKey) : entry.purpose,
  };
}
