import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type Folder, type MailboxLetter } from '../api';
import { useApp } from '../context';
import { Link, navigate } from '../router';
import { LetterMarks } from './LetterMarks';

export function folderOf(route: string): Folder {
  if (route === '/archive') return 'archive';
  if (route === '/trash') return 'trash';
  return 'inbox';
}

export function folderPath(folder: Folder): string {
  return folder === 'inbox' ? '/' : `/${folder}`;
}

function listPath(folder: Folder, q: string, unread: boolean): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (unread) params.set('unread', '1');
  return `${folderPath(folder)}${params.size ? `?${params}` : ''}`;
}

/** Newest first, a page at a time (keyset pagination), the next page loaded on scroll. */
export function Inbox({ folder }: { folder: Folder }) {
  const { t, formatDate, onError } = useApp();
  const current = new URLSearchParams(location.search);
  const q = current.get('q') ?? '';
  const onlyUnread = current.get('unread') === '1';
  const [query, setQuery] = useState(q);
  const [items, setItems] = useState<MailboxLetter[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [done, setDone] = useState(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const generation = useRef(0);

  const load = useCallback(
    async (from: string | null, reset: boolean) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await api.letters({
          folder,
          q: q || undefined,
          unread: onlyUnread || undefined,
          cursor: from ?? undefined,
        });
        if (mine !== generation.current) return;
        setItems((prev) => (reset ? page.items : [...prev, ...page.items]));
        setCursor(page.nextCursor);
        setDone(page.nextCursor === null);
      } catch (error) {
        onError(error);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [folder, q, onlyUnread, onError],
  );

  useEffect(() => {
    setItems([]);
    setDone(false);
    void load(null, true);
  }, [load]);

  useEffect(() => {
    const node = sentinel.current;
    if (!node || done || loading || !cursor) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void load(cursor, false);
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [cursor, done, loading, load]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    const value = query.trim();
    navigate(listPath(folder, value, onlyUnread));
  };

  return (
    <>
      <h1 className="page-title">{t(folder)}</h1>
      <form role="search" className="search" onSubmit={search}>
        <label htmlFor="search" className="visually-hidden">
          {t('search')}
        </label>
        <input
          id="search"
          type="search"
          placeholder={t('search')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit">{t('searchButton')}</button>
      </form>
      <nav className="filter" aria-label={t('showFilter')}>
        <ul>
          <li>
            <Link href={listPath(folder, q, false)} aria-current={onlyUnread ? undefined : 'page'}>
              {t('allLetters')}
            </Link>
          </li>
          <li>
            <Link href={listPath(folder, q, true)} aria-current={onlyUnread ? 'page' : undefined}>
              {t('onlyUnread')}
            </Link>
          </li>
        </ul>
      </nav>
      {!loading && items.length === 0 ? (
        <p className="empty">
          {q ? t('noResults', { q }) : onlyUnread ? t('noUnread') : t('noLetters')}
        </p>
      ) : null}
      <ul className="letters" aria-busy={loading}>
        {items.map((letter) => (
          <li key={letter.id} className={letter.unread ? 'letter unread' : 'letter'}>
            <Link href={`/letters/${letter.id}`}>
              <span className="sender">{letter.sender.name}</span>
              <span className="title">{letter.title}</span>
              <span className="meta">
                <time dateTime={letter.deliveredAt}>{formatDate(letter.deliveredAt)}</time>
                <LetterMarks letter={letter} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <div ref={sentinel} className="sentinel" />
      {loading ? <p role="status">{t('loading')}</p> : null}
      {!loading && cursor ? (
        <button type="button" className="more" onClick={() => void load(cursor, false)}>
          {t('loadMore')}
        </button>
      ) : null}
      {!loading && done && items.length > 20 ? <p className="empty">{t('allLoaded')}</p> : null}
    </>
  );
}
