import { useState } from 'react';
import { api, type AccessLogEntry } from '../api';
import { useApp } from '../context';
import { actorMark, describeEntry } from '../access-log-texts';
import { filterEntries, NO_FILTER } from '../access-log-filter';
import { mailboxName } from '../mailboxes';
import { Link } from '../router';
import AccessLogFilters from './AccessLogFilters';
import InclusionCheck from './InclusionCheck';
import { usePages } from './paged';

export default function AccessLogPage() {
  const { t, own, mailbox } = useApp();
  const { items, more } = usePages(api.accessLog);
  const [filter, setFilter] = useState(NO_FILTER);
  const shown = items ? filterEntries(items, filter) : null;
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
      {items?.length ? (
        <>
          <InclusionCheck ids={items.map((e) => e.id)} />
          <AccessLogFilters entries={items} filter={filter} onChange={setFilter} />
          <p className="help" aria-live="polite">
            {t('filterShowing', { shown: shown!.length, loaded: items.length })}
          </p>
        </>
      ) : null}
      <ol className="access-log">
        {shown?.map((e) => (
          <Entry key={e.id} entry={e} />
        ))}
      </ol>
      {more}
    </>
  );
}

function Entry({ entry: e }: { entry: AccessLogEntry }) {
  const { t, formatDate } = useApp();
  const text = describeEntry(t, e);
  return (
    <li>
      <p className="who">
        <strong>{e.actor.name}</strong> <span className="mark">{actorMark(t, e.actor)}</span>
        {e.released ? (
          <>
            {' '}
            <span className="mark released">{t('released')}</span>
          </>
        ) : null}
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
        {e.notice ? (
          <>
            <dt>{t('dataCategory')}</dt>
            <dd>{e.notice.dataCategory}</dd>
            <dt>{t('legalBasis')}</dt>
            <dd>{e.notice.legalBasis}</dd>
            {e.notice.system ? (
              <>
                <dt>{t('system')}</dt>
                <dd>{e.notice.system}</dd>
              </>
            ) : null}
          </>
        ) : null}
        {e.released && e.withheld ? (
          <>
            <dt>{t('releasedWhy')}</dt>
            <dd>
              {t('releasedNote', {
                reason: e.withheld.reason,
                until: formatDate(e.withheld.until, true),
              })}
            </dd>
          </>
        ) : null}
      </dl>
    </li>
  );
}
