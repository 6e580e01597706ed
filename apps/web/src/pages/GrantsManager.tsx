import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useApp } from '../context';
import type { MessageKey } from '../i18n';
import {
  endOfDay,
  lastDay,
  mailboxes,
  type Access,
  type Grant,
  type GrantRequest,
} from '../mailboxes';
import { Choice, Outcome, TextField, useAction } from './fields';

const ACCESS_CHOICES: [Access, MessageKey][] = [
  ['read', 'accessReadExplain'],
  ['read_write', 'accessReadWriteExplain'],
];

/**
 * Who has access to a mailbox, giving it and taking it back: the owner's "Access to my post" and
 * an organisation's employees share it. The grantee is named by national id, which the API keeps
 * only as an HMAC: the list shows a name once that person has logged in.
 */
export function GrantsManager({
  mailboxId,
  organisation,
}: {
  mailboxId: string;
  organisation: boolean;
}) {
  const { t, formatDate, onError } = useApp();
  const [grants, setGrants] = useState<Grant[] | null>(null);
  const [nationalId, setNationalId] = useState('');
  const [access, setAccess] = useState<Access>('read');
  const [until, setUntil] = useState('');
  const [confidential, setConfidential] = useState(false);
  const [administrator, setAdministrator] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const { busy, problem, setProblem, run } = useAction();

  const reload = useCallback(
    () => mailboxes.grants(mailboxId).then(setGrants).catch(onError),
    [mailboxId, onError],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const nameOf = (grant: Grant) => grant.grantee.name ?? t('granteeNotLoggedIn');

  const give = (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const id = nationalId.replace(/\s/g, '');
    if (!/^\d{10,11}$/.test(id)) return setProblem(t('nationalIdInvalid'));
    const request: GrantRequest = { grantee: { nationalId: id }, access };
    if (until) request.until = endOfDay(until);
    if (organisation) request.confidential = confidential;
    if (organisation && administrator) request.role = 'administrator';
    void run(async () => {
      await mailboxes.give(mailboxId, request);
      setNationalId('');
      setUntil('');
      setConfidential(false);
      setAdministrator(false);
      setStatus(t('accessGiven'));
      await reload();
    });
  };

  const takeBack = (grant: Grant) => {
    setStatus(null);
    void run(async () => {
      await mailboxes.takeBack(mailboxId, grant.id);
      setStatus(t('accessTakenBack', { name: nameOf(grant) }));
      await reload();
    });
  };

  return (
    <>
      <section aria-labelledby="grants-title">
        <h2 id="grants-title">{organisation ? t('employees') : t('whoHasAccess')}</h2>
        {grants === null ? <p role="status">{t('loading')}</p> : null}
        {grants?.length === 0 ? <p className="empty">{t('noGrants')}</p> : null}
        <ul className="grants">
          {grants?.map((grant) => (
            <li key={grant.id}>
              <p className="who">
                <strong>{nameOf(grant)}</strong>
              </p>
              <p className="marks">
                <span className="mark">
                  {t(grant.access === 'read' ? 'accessRead' : 'accessReadWrite')}
                </span>
                {grant.until ? (
                  <span className="mark">
                    {t('until', { date: formatDate(lastDay(grant.until)) })}
                  </span>
                ) : null}
                {grant.confidential ? (
                  <span className="mark confidential">{t('confidentialAccess')}</span>
                ) : null}
                {grant.role === 'administrator' ? (
                  <span className="mark">{t('role.administrator')}</span>
                ) : null}
              </p>
              <button
                type="button"
                className="danger"
                disabled={busy}
                aria-label={t('takeBackFrom', { name: nameOf(grant) })}
                onClick={() => takeBack(grant)}
              >
                {t('takeBack')}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <form className="settings grant-form" onSubmit={give} noValidate>
        <h2>{organisation ? t('addEmployee') : t('giveAccess')}</h2>
        <TextField
          id="grantee-id"
          inputMode="numeric"
          autoComplete="off"
          label={t('granteeNationalId')}
          help={t('granteeNationalIdHelp')}
          value={nationalId}
          onChange={(e) => setNationalId(e.target.value)}
        />
        <fieldset className="field">
          <legend>{t('accessLevel')}</legend>
          {ACCESS_CHOICES.map(([value, text]) => (
            <Choice
              key={value}
              type="radio"
              name="grant-access"
              checked={access === value}
              onChange={() => setAccess(value)}
            >
              {t(text)}
            </Choice>
          ))}
        </fieldset>
        <TextField
          id="grant-until"
          type="date"
          label={t('grantUntil')}
          help={t('grantUntilHelp')}
          value={until}
          onChange={(e) => setUntil(e.target.value)}
        />
        {organisation ? (
          <fieldset className="field">
            <legend>{t('employeeRights')}</legend>
            <Choice type="checkbox" checked={confidential} onChange={setConfidential}>
              {t('confidentialAccessExplain')}
            </Choice>
            <Choice type="checkbox" checked={administrator} onChange={setAdministrator}>
              {t('administratorExplain')}
            </Choice>
          </fieldset>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {organisation ? t('addEmployee') : t('giveAccess')}
        </button>
        <Outcome status={status} problem={problem} />
      </form>
    </>
  );
}
