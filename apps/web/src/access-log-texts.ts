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
};

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
