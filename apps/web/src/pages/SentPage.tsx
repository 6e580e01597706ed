import { useApp } from '../context';
import { replies } from '../replies';
import { Link } from '../router';
import { usePages } from './paged';
import { SentItem } from './SentItem';

/** Replies and messages sent from the open mailbox, newest first, each with its receipt. */
export default function SentPage() {
  const { t, writable } = useApp();
  const { items, more } = usePages(replies.sent);
  return (
    <>
      <h1 className="page-title">{t('sent')}</h1>
      <p>{t('sentIntro')}</p>
      {writable ? (
        <p>
          <Link href="/write" className="button-link">
            {t('writeToAgency')}
          </Link>
        </p>
      ) : null}
      {items === null ? <p role="status">{t('loading')}</p> : null}
      {items?.length === 0 ? <p className="empty">{t('sentEmpty')}</p> : null}
      <ol className="sent-list">
        {items?.map((reply) => (
          <SentItem key={reply.id} reply={reply} withLetter />
        ))}
      </ol>
      {more}
    </>
  );
}
