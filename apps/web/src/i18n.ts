import { da } from './messages/da';
import { en } from './messages/en';
import { nb } from './messages/nb';

export type Language = 'da' | 'nb' | 'en';
/** The one order every language picker lists them in. */
export const LANGUAGES: Language[] = ['da', 'nb', 'en'];

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

export const MESSAGES: Record<Language, Messages> = { en, nb, da };

export const LANGUAGE_NAMES: Record<Language, string> = {
  da: 'Dansk',
  nb: 'Norsk bokmål',
  en: 'English',
};

export function guessLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'da') return 'da';
    if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
    if (base === 'en') return 'en';
  }
  return 'nb';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const messages = MESSAGES[language];
  return (key, vars) =>
    messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));
}
