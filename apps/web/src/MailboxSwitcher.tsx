import { useApp } from './context';
import type { Translate } from './i18n';
import { lastDay, mailboxName, type MailboxChoice } from './mailboxes';
import { ROLE_TEXTS } from './role-texts';

function optionLabel(t: Translate, mailbox: MailboxChoice, own: boolean): string {
  if (own) return t('yourPost');
  if (mailbox.kind === 'organisation') return mailboxName(t, mailbox);
  return t('theirPost', { name: mailboxName(t, mailbox), role: t(ROLE_TEXTS[mailbox.role]) });
}

/**
 * Whose post is open, always in sight once there is more than one mailbox to choose from: a
 * guardian reading a child's letters must never mistake them for their own.
 */
export function MailboxSwitcher() {
  const { t, me, mailbox, own, selectMailbox, formatDate } = useApp();
  if (!me || !mailbox || me.mailboxes.length < 2) return null;
  const ownId = me.mailboxes[0]!.id;
  return (
    <div className="switcher">
      <div className="switcher-pick">
        <label htmlFor="mailbox-switcher">{t('whosePost')}</label>
        <select
          id="mailbox-switcher"
          value={mailbox.id}
          onChange={(e) => selectMailbox(e.target.value)}
        >
          {me.mailboxes.map((m) => (
            <option key={m.id} value={m.id}>
              {optionLabel(t, m, m.id === ownId)}
            </option>
          ))}
        </select>
      </div>
      <p className="whose" data-testid="whose-post">
        <strong>{own ? t('yourPost') : t('postOf', { name: mailboxName(t, mailbox) })}</strong>
        {own ? null : (
          <>
            {' · '}
            {t(ROLE_TEXTS[mailbox.role])}
            {' · '}
            {t(mailbox.access === 'read' ? 'accessRead' : 'accessReadWrite')}
            {mailbox.until
              ? ` · ${t('until', { date: formatDate(lastDay(mailbox.until)) })}`
              : null}
          </>
        )}
      </p>
    </div>
  );
}
