import { useEffect, useState } from 'react';
import { useApp } from '../context';
import { replies, replyOpen, type DirectoryAgency, type LetterWithReplies } from '../replies';
import Composer from './Composer';

/**
 * "Reply" on a letter that takes one: the answer is encrypted here to the agency's key and sent;
 * what comes back is the receipt that it arrived, shown and kept in the thread.
 */
export default function ReplySection({
  letter,
  onReplied,
}: {
  letter: LetterWithReplies;
  onReplied: () => void;
}) {
  const { t, formatDate, writable, onError } = useApp();
  const [agency, setAgency] = useState<DirectoryAgency | null | undefined>(undefined);
  const [writing, setWriting] = useState(false);
  const [sent, setSent] = useState(false);
  const open = replyOpen(letter);

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
          <div role="status">
            {sent ? <p className="sent-note">{t('replySent', { agency: agency.name })}</p> : null}
          </div>
          {writing ? (
            <Composer
              idPrefix="reply"
              agencyKey={agency.encryptionKey.publicKey}
              submitLabel={t('sendReply')}
              onSend={async (documents) => {
                await replies.reply(letter.id, documents);
                setSent(true);
                setWriting(false);
                onReplied();
              }}
            />
          ) : (
            <button
              type="button"
              className="primary"
              onClick={() => {
                setSent(false);
                setWriting(true);
              }}
            >
              {t('reply')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
