import { createContext, useContext } from 'react';
import type { Language, Translate } from './i18n';
import type { MailboxChoice, Me } from './mailboxes';

export interface AppContextValue {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  formatDate: (iso: string, withTime?: boolean) => string;
  refreshSummary: () => void;
  onError: (error: unknown) => void;
  /** Who the caller is and whose post they may open; null when the API cannot say (yet). */
  me: Me | null;
  /** The mailbox whose post is open: null is the caller's own, before `GET /v1/me` answers. */
  mailbox: MailboxChoice | null;
  /** Whether the open mailbox is the caller's own (its settings, its grants). */
  own: boolean;
  /** Whether the caller may change things in the open mailbox (acknowledge, file, delete). */
  writable: boolean;
  selectMailbox: (id: string) => void;
}

export const AppContext = createContext<AppContextValue>(null as unknown as AppContextValue);
export const useApp = () => useContext(AppContext);

const LOCALES = { da: 'da-DK', nb: 'nb-NO', en: 'en-GB' } as const;

export function dateFormatter(language: Language) {
  const date = new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium' });
  const dateTime = new Intl.DateTimeFormat(LOCALES[language], {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  return (iso: string, withTime = false) => {
    // A due date is a calendar day (YYYY-MM-DD), not a moment: show it as that day everywhere.
    const value = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
    return (withTime ? dateTime : date).format(value);
  };
}
