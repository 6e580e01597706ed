import { useState } from 'react';
import { login } from './auth';
import { useApp } from './context';
import { chooseBeforeLogin } from './language';
import { LanguagePicker } from './LanguagePicker';

export function LoginPage({ notice }: { notice: string | null }) {
  const { t, setLanguage } = useApp();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  return (
    <main id="main" className="login">
      <h1>{t('appName')}</h1>
      <p className="tagline">{t('tagline')}</p>
      <p>{t('loginIntro')}</p>
      {notice ? (
        <p className="notice" role="alert">
          {t(notice as 'loginFailed')}
        </p>
      ) : null}
      {failed ? (
        <p className="notice" role="alert">
          {t('loginFailed')}
        </p>
      ) : null}
      <button
        type="button"
        className="primary big"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          login(location.pathname === '/' ? '/' : location.pathname + location.search).catch(() => {
            setBusy(false);
            setFailed(true);
          });
        }}
      >
        {t('logIn')}
      </button>
      <LanguagePicker
        onChange={(l) => {
          chooseBeforeLogin(l);
          setLanguage(l);
        }}
      />
    </main>
  );
}
