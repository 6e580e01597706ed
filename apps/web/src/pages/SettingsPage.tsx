import { lazy, Suspense, useState, type FormEvent } from 'react';
import { api, type Settings, type SettingsUpdate } from '../api';
import { useApp } from '../context';
import type { Language } from '../i18n';
import { LanguageOptions } from '../LanguagePicker';
import ExportSettings from './ExportSettings';
import { useSettings } from './fields';

const KeySettings = lazy(() => import('./KeySettings'));

type AccessNotifications = Settings['accessNotifications'];
const ACCESS_NOTIFICATIONS: AccessNotifications[] = ['none', 'immediate', 'weekly'];

export default function SettingsPage() {
  const { t, setLanguage, onError } = useApp();
  const [email, setEmail] = useState('');
  const [language, setLang] = useState<Language>('nb');
  const [reserved, setReserved] = useState(false);
  const [accessNotifications, setAccessNotifications] = useState<AccessNotifications>('none');
  const [saved, setSaved] = useSettings((s) => {
    setEmail(s.notificationEmail ?? '');
    setLang(s.language);
    setReserved(s.reserved);
    setAccessNotifications(s.accessNotifications);
  });
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!saved) return <p role="status">{t('loading')}</p>;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const changes: SettingsUpdate = {};
    const address = email.trim() || null;
    if (address !== saved.notificationEmail) changes.notificationEmail = address;
    if (language !== saved.language) changes.language = language;
    if (reserved !== saved.reserved) changes.reserved = reserved;
    if (accessNotifications !== saved.accessNotifications)
      changes.accessNotifications = accessNotifications;
    setBusy(true);
    try {
      const next = Object.keys(changes).length ? await api.saveSettings(changes) : saved;
      setSaved(next);
      setLanguage(next.language);
      setStatus('saved');
    } catch (error) {
      onError(error);
      setStatus('error');
    } finally {
      setBusy(false);
    }
  };

  const resend = async () => {
    setBusy(true);
    try {
      await api.resendConfirmation();
      setStatus('linkSent');
    } catch (error) {
      onError(error);
      setStatus('error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1 className="page-title">{t('settings')}</h1>
      <p>{t('settingsIntro')}</p>
      <form className="settings" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="email">{t('notificationEmail')}</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            value={email}
            aria-describedby="email-help email-state"
            onChange={(e) => setEmail(e.target.value)}
          />
          <p id="email-help" className="help">
            {t('notificationEmailHelp')}
          </p>
          <p id="email-state" className="help">
            {!saved.notificationEmail
              ? t('noEmail')
              : saved.emailConfirmed
                ? `✓ ${t('emailConfirmed')}`
                : t('emailUnconfirmed')}
          </p>
          {saved.notificationEmail && !saved.emailConfirmed ? (
            <button type="button" disabled={busy} onClick={() => void resend()}>
              {t('resendLink')}
            </button>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="language">{t('language')}</label>
          <select
            id="language"
            value={language}
            onChange={(e) => setLang(e.target.value as Language)}
          >
            <LanguageOptions />
          </select>
        </div>
        <div className="field">
          <label htmlFor="access-notifications">{t('accessNotifications')}</label>
          <select
            id="access-notifications"
            value={accessNotifications}
            aria-describedby="access-notifications-help"
            onChange={(e) => setAccessNotifications(e.target.value as AccessNotifications)}
          >
            {ACCESS_NOTIFICATIONS.map((choice) => (
              <option key={choice} value={choice}>
                {t(`accessNotifications.${choice}`)}
              </option>
            ))}
          </select>
          <p id="access-notifications-help" className="help">
            {t('accessNotificationsHelp')}
          </p>
        </div>
        <fieldset className="field">
          <legend>{t('reservation')}</legend>
          <p id="reservation-help" className="help">
            {t('reservationHelp')}
          </p>
          <label className="check">
            <input
              type="checkbox"
              checked={reserved}
              aria-describedby="reservation-help"
              onChange={(e) => setReserved(e.target.checked)}
            />{' '}
            {t('reservationLabel')}
          </label>
          {saved.reserved ? <p className="notice">{t('reservationOn')}</p> : null}
        </fieldset>
        <button type="submit" className="primary" disabled={busy}>
          {t('save')}
        </button>
        <p role="status" className="status">
          {status === 'saved'
            ? t('saved')
            : status === 'linkSent'
              ? t('linkSent')
              : status === 'error'
                ? t('error')
                : null}
        </p>
      </form>
      <Suspense fallback={null}>
        <KeySettings />
      </Suspense>
      <ExportSettings />
    </>
  );
}
