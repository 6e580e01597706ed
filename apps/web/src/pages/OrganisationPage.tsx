import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useApp } from '../context';
import { mailboxName } from '../mailboxes';
import { Outcome, TextField, useAction, useSettings } from './fields';
import { GrantsManager } from './GrantsManager';

/**
 * For an organisation's administrators: its employees and what each may see (confidential letters
 * or not), and the address the organisation is told of new post at. The organisation's mailbox is
 * the open one, so its settings are the twin route's.
 */
export default function OrganisationPage() {
  const { t, mailbox } = useApp();
  const [email, setEmail] = useState('');
  const [saved, setSaved] = useSettings((s) => setEmail(s.notificationEmail ?? ''));
  const [status, setStatus] = useState<string | null>(null);
  const { busy, problem, run } = useAction();

  if (!mailbox) return <p role="status">{t('loading')}</p>;

  const save = (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    void run(async () => {
      setSaved(await api.saveSettings({ notificationEmail: email.trim() || null }));
      setStatus(t('saved'));
    });
  };

  return (
    <>
      <h1 className="page-title">{t('organisationTitle', { name: mailboxName(t, mailbox) })}</h1>
      <p>{t('organisationIntro')}</p>
      <GrantsManager mailboxId={mailbox.id} organisation />
      <form className="settings org-notifications" onSubmit={save}>
        <h2>{t('organisationNotifications')}</h2>
        <TextField
          id="org-email"
          type="email"
          autoComplete="off"
          label={t('organisationEmail')}
          help={t('organisationEmailHelp')}
          value={email}
          disabled={!saved}
          onChange={(e) => setEmail(e.target.value)}
        >
          {saved?.notificationEmail ? (
            <p className="help">
              {saved.emailConfirmed ? `✓ ${t('emailConfirmed')}` : t('emailUnconfirmed')}
            </p>
          ) : null}
        </TextField>
        <button type="submit" className="primary" disabled={busy || !saved}>
          {t('save')}
        </button>
        <Outcome status={status} problem={problem} />
      </form>
    </>
  );
}
