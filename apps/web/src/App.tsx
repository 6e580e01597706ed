import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { accessToken, completeLogin, login, logout, userName } from './auth';
import { api, LoggedOut } from './api';
import { AppContext, dateFormatter, useApp, type AppContextValue } from './context';
import { guessLanguage, translator, type Language } from './i18n';
import { Link, navigate, usePath } from './router';
import { Inbox, folderOf } from './pages/Inbox';
import { LetterPage } from './pages/LetterPage';

const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const AccessLogPage = lazy(() => import('./pages/AccessLogPage'));

type AuthState = 'anonymous' | 'completing' | 'ready';

export function App() {
  const path = usePath();
  const [language, setLanguage] = useState<Language>(() => guessLanguage(navigator.languages));
  const [auth, setAuth] = useState<AuthState>(() =>
    location.pathname === '/callback' ? 'completing' : accessToken() ? 'ready' : 'anonymous',
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [unread, setUnread] = useState<number | null>(null);
  const t = useMemo(() => translator(language), [language]);
  const completing = useRef(false);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  useEffect(() => {
    if (auth !== 'completing' || completing.current) return;
    completing.current = true;
    completeLogin(new URL(location.href))
      .then((returnTo) => {
        setAuth('ready');
        navigate(returnTo, true);
      })
      .catch(() => {
        setNotice('loginFailed');
        setAuth('anonymous');
        navigate('/', true);
      });
  }, [auth]);

  const onError = useCallback((error: unknown) => {
    if (error instanceof LoggedOut) {
      setNotice('sessionExpired');
      setAuth('anonymous');
    } else {
      console.error(error);
    }
  }, []);

  const refreshSummary = useCallback(() => {
    api
      .summary()
      .then((s) => setUnread(s.unread))
      .catch(onError);
  }, [onError]);

  useEffect(() => {
    if (auth !== 'ready') return;
    refreshSummary();
    api
      .settings()
      .then((s) => setLanguage(s.language))
      .catch(onError);
  }, [auth, refreshSummary, onError]);

  const context: AppContextValue = useMemo(
    () => ({
      language,
      setLanguage,
      t,
      formatDate: dateFormatter(language),
      refreshSummary,
      onError,
    }),
    [language, t, refreshSummary, onError],
  );

  if (auth === 'completing') {
    return (
      <main id="main" className="center">
        <p role="status">{t('loggingIn')}</p>
      </main>
    );
  }
  if (auth === 'anonymous') {
    return (
      <AppContext.Provider value={context}>
        <LoginPage notice={notice} />
      </AppContext.Provider>
    );
  }

  const route = path.split('?')[0]!;
  const letterMatch = /^\/letters\/([\w-]+)$/.exec(route);
  let page;
  if (letterMatch) page = <LetterPage id={letterMatch[1]!} />;
  else if (route === '/settings') page = <SettingsPage />;
  else if (route === '/access-log') page = <AccessLogPage />;
  else page = <Inbox folder={folderOf(route)} />;

  const folder = folderOf(route);
  const current = (href: string) =>
    (href === route || (href === '/' && route === '/inbox') ? 'page' : undefined) as
      'page' | undefined;
  return (
    <AppContext.Provider value={context}>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header className="top">
        <div className="bar">
          <Link href="/" className="brand">
            {t('appName')}
          </Link>
          <span className="user">{userName()}</span>
          <button type="button" className="link" onClick={() => void logout()}>
            {t('logOut')}
          </button>
        </div>
        <nav aria-label={t('mainNav')}>
          <ul className="nav">
            <li>
              <Link href="/" aria-current={current('/')}>
                {t('inbox')}
                {unread ? (
                  <span className="count" aria-label={t('unreadCount', { n: unread })}>
                    {unread}
                  </span>
                ) : null}
              </Link>
            </li>
            <li>
              <Link href="/archive" aria-current={current('/archive')}>
                {t('archive')}
              </Link>
            </li>
            <li>
              <Link href="/trash" aria-current={current('/trash')}>
                {t('trash')}
              </Link>
            </li>
            <li>
              <Link href="/settings" aria-current={current('/settings')}>
                {t('settings')}
              </Link>
            </li>
            <li>
              <Link href="/access-log" aria-current={current('/access-log')}>
                {t('accessLog')}
              </Link>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} data-folder={folder}>
        <Suspense fallback={<p role="status">{t('loading')}</p>}>{page}</Suspense>
      </main>
    </AppContext.Provider>
  );
}

function LoginPage({ notice }: { notice: string | null }) {
  const { t, language, setLanguage } = useApp();
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
      <LanguagePicker value={language} onChange={setLanguage} />
    </main>
  );
}

function LanguagePicker({ value, onChange }: { value: Language; onChange: (l: Language) => void }) {
  const { t } = useApp();
  return (
    <p className="language">
      <label htmlFor="login-language">{t('language')}</label>{' '}
      <select
        id="login-language"
        value={value}
        onChange={(e) => onChange(e.target.value as Language)}
      >
        <option value="nb">Norsk bokmål</option>
        <option value="da">Dansk</option>
        <option value="en">English</option>
      </select>
    </p>
  );
}
