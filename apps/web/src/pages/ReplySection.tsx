import { useEffect, useState } from 'react';
import type { MailboxLetter } from '../api';
import { useApp } from '../context';
import {
  replies,
  replyOpen,
  type AgencyEntry,
  type ReplyPermission,
  type SentReply,
} from '../replies';
import Composer from './Composer';
import { ReceiptLink } from './ReceiptLink';

/**
 * "Reply" on a letter that takes one: the answer is encrypted here to the agency's key and sent;
 * what comes back is the receipt that it arrived, shown and kept in the thread.
 */
export default function ReplySection({
  letter,
  onReplied,
}: {
  letter: MailboxLetter & { replies?: ReplyPermission };
  onReplied: () => void;
}) {
  const { t, formatDate, writable, onError } = useApp();
  const [agency, setAgency] = useState<AgencyEntry | null | undefined>(undefined);
  const [writing, setWriting] = useState(false);
  const [sent, setSent] = useState<SentReply | null>(null);
  const open = replyOpen(letter.replies);

  useEffect(() => {
    if (!open) return;
    replies
      .agencies()
      .then((all) => setAgency(all.find((a) => a.id === letter.sender.id) ?? null))
      .catch((error: unknown) => {
        onError(error);
        setAgency(null);
      });
  }, [open, letter.sender.id, onError]);

  if (!letter.replies?.allowed) return null;
  const until = letter.replies.until;
  return (
    <section className="reply" aria-labelledby="reply-title">
      <h2 id="reply-title">{t('replyTitle')}</h2>
      {!open ? (
        <p>{t('replyClosed', { date: formatDate(until!, true) })}</p>
      ) : !writable ? (
        <p>{t('replyReadOnly')}</p>
      ) : agency === undefined ? (
        <p role="status">{t('loading')}</p>
      ) : !agency?.encryptionKey ? (
        <p>{t('replyNoKey')}</p>
      ) : (
        <>
          {until ? <p>{t('replyUntil', { date: formatDate(until, true) })}</p> : null}
          {sent ? (
            <div className="sent-note" role="status">
              <p>{t('replySent', { agency: agency.name })}</p>
              <ReceiptLink id={sent.id} receipt={sent.receipt} />
            </div>
          ) : null}
          {writing ? (
            <Composer
              idPrefix="reply"
              agencyKey={agency.encryptionKey}
              submitLabel={t('sendReply')}
              onSend={async (documents) => {
                setSent(await replies.reply(letter.id, documents));
                setWriting(false);
                onReplied();
              }}
            />
          ) : (
            <button type="button" className="primary" onClick={() => setWriting(true)}>
              {t('reply')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
