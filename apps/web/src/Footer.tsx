import { useApp } from './context';
import type { MessageKey } from './i18n';
import { Link } from './router';

export const INFO_PAGES = {
  '/help': { title: 'help', body: 'helpBody' },
  '/contact': { title: 'contact', body: 'contactBody' },
  '/privacy': { title: 'privacy', body: 'privacyBody' },
  '/accessibility': { title: 'accessibility', body: 'accessibilityBody' },
} as const satisfies Record<string, { title: MessageKey; body: MessageKey }>;

export type InfoPath = keyof typeof INFO_PAGES;
export const isInfoPath = (path: string): path is InfoPath => path in INFO_PAGES;

export function Footer() {
  const { t } = useApp();
  return (
    <footer className="footer">
      <nav aria-label={t('aboutService')}>
        <ul>
          {(Object.keys(INFO_PAGES) as InfoPath[]).map((path) => (
            <li key={path}>
              <Link href={path}>{t(INFO_PAGES[path].title)}</Link>
            </li>
          ))}
        </ul>
      </nav>
    </footer>
  );
}

/** Help, contact, privacy and the accessibility statement: readable without logging in. */
export function InfoPage({ path }: { path: InfoPath }) {
  const { t } = useApp();
  const page = INFO_PAGES[path];
  return (
    <article className="info">
      <h1 className="page-title">{t(page.title)}</h1>
      {t(page.body)
        .split('\n\n')
        .map((paragraph) => (
          <p key={paragraph.slice(0, 40)}>{paragraph}</p>
        ))}
    </article>
  );
}
