import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { accessToken, canResume, completeLogin, login, logout, SilentLoginFailed } from './auth';
import { api, LoggedOut } from './api';
import { AppContext, dateFormatter, type AppContextValue } from './context';
import { Footer, InfoPage, isInfoPath } from './Footer';
import { translator, type Language } from './i18n';
import { initialLanguage, rememberLanguage, takeChosenLanguage } from './language';
import { LoginPage } from './LoginPage';
import { MainNav } from './MainNav';
import { navigate, usePath } from './router';
import { Inbox, folderOf } from './pages/Inbox';
import { LetterPage } from './pages/LetterPage';

const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const AccessLogPage = lazy(() => import('./pages/AccessLogPage'));

type AuthState = 'anonymous' | 'completing' | 'resuming' | 'ready';

function startState(): AuthState {
  if (location.pathname === '/callback') return 'completing';
  if (accessToken()) return 'ready';
  return canResume() ? 'resuming' : 'anonymous';
}

export function App() {
  const path = usePath();
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const [auth, setAuth] = useState<AuthState>(startState);
  const [notice, setNotice] = useState<string | null>(null);
  const [unread, setUnread] = useState<number | null>(null);
  const t = useMemo(() => translator(language), [language]);
  const started = useRef(false);

  const setLanguage = useCallback((next: Language) => {
    rememberLanguage(next);
    setLanguageState(next);
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  useEffect(() => {
    if (started.current) return;
    if (auth === 'resuming') {
      // A reload: ask the issuer again, silently, and come back to this very page.
      started.current = true;
      login(location.pathname + location.search, true).catch(() => setAuth('anonymous'));
    }
    if (auth !== 'completing') return;
    started.current = true;
    completeLogin(new URL(location.href))
      .then((returnTo) => {
        setAuth('ready');
        navigate(returnTo, true);
      })
      .catch((error: unknown) => {
        if (!(error instanceof SilentLoginFailed)) setNotice('loginFailed');
        setAuth('anonymous');
        navigate(error instanceof SilentLoginFailed ? error.returnTo : '/', true);
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
    // One choice: a language picked on the start page becomes the mailbox's; otherwise the
    // mailbox's setting is the one, and the start page will use it next time.
    const chosen = takeChosenLanguage();
    (chosen ? api.saveSettings({ language: chosen }) : api.settings())
      .then((s) => setLanguage(s.language))
      .catch(onError);
  }, [auth, refreshSummary, onError, setLanguage]);

  const context: AppContextValue = useMemo(
    () => ({
      language,
      setLanguage,
      t,
      formatDate: dateFormatter(language),
      refreshSummary,
      onError,
    }),
    [language, setLanguage, t, refreshSummary, onError],
  );

  const route = path.split('?')[0]!;
  if (auth === 'completing' || auth === 'resuming') {
    return (
      <main id="main" className="center">
        <p role="status">{t(auth === 'resuming' ? 'resuming' : 'loggingIn')}</p>
      </main>
    );
  }
  if (auth === 'anonymous') {
    return (
      <AppContext.Provider value={context}>
        {isInfoPath(route) ? (
          <main id="main" className="login">
            <InfoPage path={route} />
          </main>
        ) : (
          <LoginPage notice={notice} />
        )}
        <Footer />
      </AppContext.Provider>
    );
  }

  const letterMatch = /^\/letters\/([\w-]+)$/.exec(route);
  let page;
  if (letterMatch) page = <LetterPage id={letterMatch[1]!} />;
  else if (route === '/settings') page = <SettingsPage />;
  else if (route === '/access-log') page = <AccessLogPage />;
  else if (isInfoPath(route)) page = <InfoPage path={route} />;
  else page = <Inbox folder={folderOf(route)} />;

  return (
    <AppContext.Provider value={context}>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <MainNav route={route} unread={unread} onLogout={() => void logout()} />
      <main id="main" tabIndex={-1} data-folder={folderOf(route)}>
        <Suspense fallback={<p role="status">{t('loading')}</p>}>{page}</Suspense>
      </main>
      <Footer />
    </AppContext.Provider>
  );
}
