import { userName } from './auth';
import { useApp } from './context';
import type { MessageKey } from './i18n';
import { MailboxSwitcher } from './MailboxSwitcher';
import { Link } from './router';

type Item = { href: string; label: MessageKey };

const FOLDERS: Item[] = [
  { href: '/', label: 'inbox' },
  { href: '/archive', label: 'archive' },
  { href: '/trash', label: 'trash' },
  { href: '/sent', label: 'sent' },
];

/** What the open mailbox offers: settings and grants are the owner's, the organisation page its administrators'. */
function itemsFor(own: boolean, administrator: boolean, hasMe: boolean): Item[] {
  const items = [...FOLDERS];
  if (own) items.push({ href: '/settings', label: 'settings' });
  items.push({ href: '/access-log', label: 'accessLog' });
  if (own && hasMe) items.push({ href: '/access', label: 'accessToMyPost' });
  if (administrator) items.push({ href: '/organisation', label: 'organisation' });
  return items;
}

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
  const { t, own, mailbox, me } = useApp();
  const items = itemsFor(own, mailbox?.role === 'administrator', me !== null);
  const current = (href: string) =>
    (href === route || (href === '/' && route === '/inbox') ? 'page' : undefined) as
      'page' | undefined;
  return (
    <header className="top">
      <div className="bar">
        <Link href="/" className="brand">
          {t('appName')}
        </Link>
        <span className="user">{me?.principal.name ?? userName()}</span>
        <button type="button" className="link" onClick={onLogout}>
          {t('logOut')}
        </button>
      </div>
      <MailboxSwitcher />
      <nav aria-label={t('mainNav')}>
        <ul className="nav">
          {items.map(({ href, label }) => (
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
