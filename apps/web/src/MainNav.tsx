import { userName } from './auth';
import { useApp } from './context';
import type { MessageKey } from './i18n';
import { Link } from './router';

const ITEMS: { href: string; label: MessageKey }[] = [
  { href: '/', label: 'inbox' },
  { href: '/archive', label: 'archive' },
  { href: '/trash', label: 'trash' },
  { href: '/settings', label: 'settings' },
  { href: '/access-log', label: 'accessLog' },
];

/** Every item visible at every width: on a phone they wrap onto a second row, never scroll. */
export function MainNav({
  route,
  unread,
  onLogout,
}: {
  route: string;
  unread: number | null;
  onLogout: () => void;
}) {
  const { t } = useApp();
  const current = (href: string) =>
    (href === route || (href === '/' && route === '/inbox') ? 'page' : undefined) as
      'page' | undefined;
  return (
    <header className="top">
      <div className="bar">
        <Link href="/" className="brand">
          {t('appName')}
        </Link>
        <span className="user">{userName()}</span>
        <button type="button" className="link" onClick={onLogout}>
          {t('logOut')}
        </button>
      </div>
      <nav aria-label={t('mainNav')}>
        <ul className="nav">
          {ITEMS.map(({ href, label }) => (
            <li key={href}>
              <Link href={href} aria-current={current(href)}>
                {t(label)}
                {href === '/' && unread ? (
                  <span className="count" aria-label={t('unreadCount', { n: unread })}>
                    {unread}
                  </span>
                ) : null}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}
