import { useEffect, useState } from 'react';
import { useApp } from '../context';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A list read a page at a time (keyset cursor): the items so far, null while the first page
 * loads, and a "Show more" button while there is more.
 */
export function usePages<T>(fetchPage: (cursor?: string) => Promise<Page<T>>) {
  const { t, onError } = useApp();
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = (from?: string) =>
    fetchPage(from)
      .then((page) => {
        setItems((prev) => [...(from ? (prev ?? []) : []), ...page.items]);
        setCursor(page.nextCursor);
      })
      .catch(onError);
  useEffect(() => {
    void load();
    // The first page once per page shown: the fetcher is the page's own.
  }, []);
  const more = cursor ? (
    <button type="button" className="more" onClick={() => void load(cursor)}>
      {t('loadMore')}
    </button>
  ) : null;
  return { items, more };
}
