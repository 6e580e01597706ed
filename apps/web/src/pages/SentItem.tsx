import { useEffect, useState } from 'react';
import { useApp } from '../context';
import { replies, type MailboxReply } from '../replies';
import { ROLE_TEXTS } from '../role-texts';
import { Link } from '../router';
import { ReceiptLink } from './ReceiptLink';

/**
 * One reply or message the citizen sent: when, to whom, what files (encrypted: their names and
 * sizes only), in which role, and the receipt that proves it arrived. The receipt is signed into
 * the log a moment after sending; until then it is asked for again.
 */
export function SentItem({
  reply,
  withLetter = false,
}: {
  reply: MailboxReply;
  /** In the Sent folder: a link to the letter answered. */
  withLetter?: boolean;
}) {
  const { t, formatDate } = useApp();
  const [shown, setShown] = useState(reply);
  const [asked, setAsked] = useState(0);
  const proven = Boolean(shown.receipt.jws && shown.receipt.inclusionProof);
  useEffect(() => setShown(reply), [reply]);
  useEffect(() => {
    // A minute at the most: after that the page's next load shows it.
    if (proven || asked >= 60) return;
    const timer = setTimeout(() => {
      replies
        .one(shown.id)
        .then(setShown)
        .catch(() => undefined)
        .finally(() => setAsked((n) => n + 1));
    }, 1000);
    return () => clearTimeout(timer);
  }, [proven, asked, shown.id]);
  return (
    <li className="sent-item">
      <p className="who">
        <strong>{t('sentTo', { agency: shown.agency.name })}</strong>
        {shown.topic ? <span className="mark">{shown.topic}</span> : null}
      </p>
      <p className="meta">
        <time dateTime={shown.at}>{formatDate(shown.at, true)}</time>
        {shown.writtenAs !== 'owner' ? (
          <span className="mark">{t('writtenAs', { role: t(ROLE_TEXTS[shown.writtenAs]) })}</span>
        ) : null}
      </p>
      {withLetter && shown.letterId ? (
        <p>
          <Link href={`/letters/${shown.letterId}`}>{t('replyToLetter')}</Link>
        </p>
      ) : null}
      <ul className="sent-files" aria-label={t('sentFiles')}>
        {shown.documents.map((d) => (
          <li key={d.id}>{d.filename}</li>
        ))}
      </ul>
      {proven ? (
        <ReceiptLink id={shown.id} receipt={shown.receipt} />
      ) : (
        <p className="help" role="status">
          {t('receiptPending')}
        </p>
      )}
    </li>
  );
}
