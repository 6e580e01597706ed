import { guessLanguage, LANGUAGES, type Language } from './i18n';

// The language is a preference, not a secret: the browser remembers the last one the mailbox
// used, so the start page after a logout or reload speaks it too instead of switching at login.
const REMEMBERED = 'postkasse.language';
// A choice made on the start page, before login: saved to the mailbox once logged in.
const CHOSEN = 'postkasse.languageChosen';

const isLanguage = (v: string | null): v is Language =>
  v !== null && (LANGUAGES as string[]).includes(v);

export function initialLanguage(): Language {
  const remembered = localStorage.getItem(REMEMBERED);
  return isLanguage(remembered) ? remembered : guessLanguage(navigator.languages);
}

export function rememberLanguage(language: Language): void {
  localStorage.setItem(REMEMBERED, language);
}

export function chooseBeforeLogin(language: Language): void {
  rememberLanguage(language);
  sessionStorage.setItem(CHOSEN, language);
}

/** The language picked on the start page, once: the caller saves it to the mailbox. */
export function takeChosenLanguage(): Language | null {
  const chosen = sessionStorage.getItem(CHOSEN);
  sessionStorage.removeItem(CHOSEN);
  return isLanguage(chosen) ? chosen : null;
}
