import { useCallback, useEffect, useState } from 'react';
import { api, type MailboxLetter } from '../api';
import { useApp } from '../context';
import { replies, type LetterWithReplies, type MailboxReply } from '../replies';
import { Link } from '../router';
import ReplySection from './ReplySection';
import { SentItem } from './SentItem';

/**
 * Agencies answer with ordinary letters naming the reply (`inReplyTo`). The API has no route from
 * a reply to its answers, so they are found among the newest letters of the inbox and archive.
 */
async function answersTo(replyIds: Set<string>): Promise<MailboxLetter[]> {
  const pages = await Promise.all(
    (['inbox', 'archive'] as const).map((folder) => api.letters({ folder, limit: 100 })),
  );
  return pages
    .flatMap((p) => p.items as LetterWithReplies[])
    .filter((l) => l.inReplyTo && replyIds.has(l.inReplyTo));
}

type Entry = { at: string; reply?: MailboxReply; answer?: MailboxLetter };

/** The letter's thread, in order: the citizen's replies and the agency's answers, then "Reply". */
export default function Conversation({ letter }: { letter: LetterWithReplies }) {
  const { t, formatDate } = useApp();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [origin, setOrigin] = useState<MailboxReply | null>(null);

  const load = useCallback(async () => {
    const sent = await replies.ofLetter(letter.id).catch(() => []);
    const answers = sent.length ? await answersTo(new Set(sent.map((r) => r.id))) : [];
    const all: Entry[] = [
      ...sent.map((reply) => ({ at: reply.at, reply })),
      ...answers.map((answer) => ({ at: answer.deliveredAt, answer })),
    ];
    setEntries(all.sort((a, b) => a.at.localeCompare(b.at)));
  }, [letter.id]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (!letter.inReplyTo) return;
    replies
      .one(letter.inReplyTo)
      .then(setOrigin)
      .catch(() => undefined);
  }, [letter.inReplyTo]);

  return (
    <>
      {origin ? (
        <p className="in-reply-to">
          {t('answersYourReply', { date: formatDate(origin.at, true) })}{' '}
          <Link href={origin.letterId ? `/letters/${origin.letterId}` : '/sent'}>
            {t('showThread')}
          </Link>
        </p>
      ) : null}
      {entries.length ? (
        <section className="thread" aria-labelledby="thread-title">
          <h2 id="thread-title">{t('thread')}</h2>
          <ol className="sent-list">
            {entries.map((e) =>
              e.reply ? (
                <SentItem key={e.reply.id} reply={e.reply} />
              ) : (
                <li key={e.answer!.id} className="sent-item answer">
                  <p className="who">
                    <strong>{t('answerFrom', { agency: e.answer!.sender.name })}</strong>
                  </p>
                  <p className="meta">
                    <time dateTime={e.at}>{formatDate(e.at, true)}</time>
                  </p>
                  <Link href={`/letters/${e.answer!.id}`}>{e.answer!.title}</Link>
                </li>
              ),
            )}
          </ol>
        </section>
      ) : null}
      <ReplySection letter={letter} onReplied={() => void load()} />
    </>
  );
}
