import { api } from '../api';
import { useApp } from '../context';
import { actorMark, describeEntry } from '../access-log-texts';
import { mailboxName } from '../mailboxes';
import { Link } from '../router';
import { usePages } from './paged';

export default function AccessLogPage() {
  const { t, formatDate, own, mailbox } = useApp();
  const { items, more } = usePages(api.accessLog);
  return (
    <>
      <h1 className="page-title">{t('accessLog')}</h1>
      <p>
        {own
          ? t('accessLogIntro')
          : t('accessLogIntroOther', { name: mailbox ? mailboxName(t, mailbox) : '' })}
      </p>
      {items === null ? <p role="status">{t('loading')}</p> : null}
      {items?.length === 0 ? <p className="empty">{t('accessLogEmpty')}</p> : null}
      <ol className="access-log">
        {items?.map((e, i) => {
          const text = describeEntry(t, e);
          return (
            <li key={`${e.at}-${i}`}>
              <p className="who">
                <strong>{e.actor.name}</strong>{' '}
                <span className="mark">{actorMark(t, e.actor)}</span>
              </p>
              <dl>
                <dt>{t('when')}</dt>
                <dd>
                  <time dateTime={e.at}>{formatDate(e.at, true)}</time>
                </dd>
                <dt>{t('what')}</dt>
                <dd>{text.action}</dd>
                {e.letter ? (
                  <>
                    <dt>{t('letter')}</dt>
                    <dd>
                      <Link href={`/letters/${e.letter.id}`}>{e.letter.title}</Link>
                    </dd>
                  </>
                ) : null}
                <dt>{t('why')}</dt>
                <dd>{text.purpose}</dd>
              </dl>
            </li>
          );
        })}
      </ol>
      {more}
    </>
  );
}
