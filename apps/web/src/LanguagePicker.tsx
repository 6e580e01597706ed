import { useApp } from './context';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from './i18n';

/** The one language list: the start page and the settings show the same names, in one order. */
export function LanguageOptions() {
  return LANGUAGES.map((l) => (
    <option key={l} value={l} lang={l}>
      {LANGUAGE_NAMES[l]}
    </option>
  ));
}

export function LanguagePicker({ onChange }: { onChange: (l: Language) => void }) {
  const { t, language } = useApp();
  return (
    <p className="language">
      <label htmlFor="login-language">{t('language')}</label>{' '}
      <select
        id="login-language"
        value={language}
        onChange={(e) => onChange(e.target.value as Language)}
      >
        <LanguageOptions />
      </select>
    </p>
  );
}
