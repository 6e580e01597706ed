import type { MailboxLetter } from '../api';
import { useApp } from '../context';

export function LetterMarks({ letter }: { letter: MailboxLetter }) {
  const { t, formatDate } = useApp();
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      {letter.unread ? <span className="mark unread-mark">{t('unread')}</span> : null}
      {letter.requiresAcknowledgement && !letter.acknowledgedAt ? (
        // In the trash it asks nothing of the citizen any more: a plain fact, not a warning.
        letter.folder === 'trash' ? (
          <span className="mark">{t('notAcknowledged')}</span>
        ) : (
          <span className="mark ack">{t('needsAck')}</span>
        )
      ) : null}
      {letter.dueDate ? (
        <span className={letter.dueDate < today ? 'mark due overdue' : 'mark due'}>
          {letter.dueDate < today
            ? t('overdue', { date: formatDate(letter.dueDate) })
            : t('due', { date: formatDate(letter.dueDate) })}
        </span>
      ) : null}
      {letter.endToEnd ? <span className="mark e2e">{t('encrypted')}</span> : null}
      {letter.confidential ? <span className="mark confidential">{t('confidential')}</span> : null}
    </>
  );
}
