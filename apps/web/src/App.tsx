import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { accessToken, canResume, completeLogin, login, logout, SilentLoginFailed } from './auth';
import { api, LoggedOut, openMailbox } from './api';
import { AppContext, dateFormatter, type AppContextValue } from './context';
import { Footer, InfoPage, isInfoPath } from './Footer';
import { translator, type Language } from './i18n';
import { initialLanguage, rememberLanguage, takeChosenLanguage } from './language';
import { LoginPage } from './LoginPage';
import { MainNav } from './MainNav';
import { canWrite, isOwn, mailboxes, type Me } from './mailboxes';
import { navigate, usePath } from './router';
import { Inbox, folderOf } from './pages/Inbox';
import { LetterPage } from './pages/LetterPage';

const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const AccessLogPage = lazy(() => import('./pages/AccessLogPage'));
const GrantsPage = lazy(() => import('./pages/GrantsPage'));
const OrganisationPage = lazy(() => import('./pages/OrganisationPage'));
const SentPage = lazy(() => import('./pages/SentPage'));
const WriteToAgencyPage = lazy(() => import('./pages/WriteToAgencyPage'));

// Which mailbox this tab has open survives a reload (an id, not a secret), never a login.
const OPEN_MAILBOX = 'postkasse.mailbox';

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
  const [me, setMe] = useState<Me | null>(null);
  const [openId, setOpenId] = useState<string | null>(() => sessionStorage.getItem(OPEN_MAILBOX));
  // A tab that had another's post open waits for `GET /v1/me` before asking for any letters.
  const [meSettled, setMeSettled] = useState(openId === null);
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

  const open = useCallback((who: Me, id: string | null) => {
    const chosen = who.mailboxes.find((m) => m.id === id) ?? who.mailboxes[0] ?? null;
    openMailbox(isOwn(who, chosen) ? null : chosen!.id);
    if (chosen) sessionStorage.setItem(OPEN_MAILBOX, chosen.id);
    setOpenId(chosen?.id ?? null);
  }, []);

  useEffect(() => {
    if (auth !== 'ready') return;
    mailboxes
      .me()
      .then((who) => {
        open(who, sessionStorage.getItem(OPEN_MAILBOX));
        setMe(who);
      })
      .catch((error: unknown) => {
        // Without the list the client is what it was: the caller's own mailbox only.
        if (error instanceof LoggedOut) onError(error);
        openMailbox(null);
        setOpenId(null);
      })
      .finally(() => {
        setMeSettled(true);
        refreshSummary();
      });
  }, [auth, open, onError, refreshSummary]);

  const selectMailbox = useCallback(
    (id: string) => {
      if (!me) return;
      open(me, id);
      navigate('/');
      refreshSummary();
    },
    [me, open, refreshSummary],
  );

  useEffect(() => {
    if (auth !== 'ready') return;
    // One choice: a language picked on the start page becomes the mailbox's; otherwise the
    // mailbox's setting is the one, and the start page will use it next time.
    const chosen = takeChosenLanguage();
    (chosen ? api.saveSettings({ language: chosen }, true) : api.settings(true))
      .then((s) => setLanguage(s.language))
      .catch(onError);
  }, [auth, refreshSummary, onError, setLanguage]);

  const mailbox = me?.mailboxes.find((m) => m.id === openId) ?? null;
  const context: AppContextValue = useMemo(
    () => ({
      language,
      setLanguage,
      t,
      formatDate: dateFormatter(language),
      refreshSummary,
      onError,
      me,
      mailbox,
      own: isOwn(me, mailbox),
      writable: canWrite(mailbox),
      selectMailbox,
    }),
    [language, setLanguage, t, refreshSummary, onError, me, mailbox, selectMailbox],
  );

  const route = path.split('?')[0]!;
  if (auth === 'completing' || auth === 'resuming' || (auth === 'ready' && !meSettled)) {
    return (
      <main id="main" className="center">
        <p role="status">{t(auth === 'completing' ? 'loggingIn' : 'resuming')}</p>
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
  else if (route === '/settings' && context.own) page = <SettingsPage />;
  else if (route === '/access-log') page = <AccessLogPage />;
  else if (route === '/sent') page = <SentPage />;
  else if (route === '/write') page = <WriteToAgencyPage />;
  else if (route === '/access' && context.own && me) page = <GrantsPage />;
  else if (route === '/organisation' && mailbox?.role === 'administrator')
    page = <OrganisationPage />;
  else if (isInfoPath(route)) page = <InfoPage path={route} />;
  else page = <Inbox folder={folderOf(route)} />;

  return (
    <AppContext.Provider value={context}>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <MainNav
        route={route}
        unread={unread}
        onLogout={() => {
          sessionStorage.removeItem(OPEN_MAILBOX);
          void logout();
        }}
      />
      {/* A new mailbox is a new page: nothing of the previous one's letters stays on screen. */}
      <main id="main" tabIndex={-1} data-folder={folderOf(route)} key={openId ?? 'own'}>
        <Suspense fallback={<p role="status">{t('loading')}</p>}>{page}</Suspense>
      </main>
      <Footer />
    </AppContext.Provider>
  );
}
