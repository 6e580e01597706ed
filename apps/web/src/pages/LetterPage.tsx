import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type Folder, type MailboxLetter } from '../api';
import { useApp } from '../context';
import { mailboxName } from '../mailboxes';
import { Link, navigate } from '../router';
import { DocumentView } from './DocumentView';
import { folderPath } from './Inbox';
import { LetterMarks } from './LetterMarks';

const EncryptedDocuments = lazy(() => import('./EncryptedDocuments'));
const Conversation = lazy(() => import('./Conversation'));

export function LetterPage({ id }: { id: string }) {
  const { t, formatDate, onError, refreshSummary, writable, mailbox } = useApp();
  const [letter, setLetter] = useState<MailboxLetter | null>(null);
  const [missing, setMissing] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  const reload = useCallback(
    () =>
      api
        .letter(id)
        .then(setLetter)
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 404) setMissing(true);
          else onError(error);
        }),
    [id, onError],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    if (letter) heading.current?.focus();
  }, [letter?.id]);

  // Fetching a document is the moment of reading: refresh the marks and the unread count.
  const onOpened = useCallback(() => {
    if (letter && letter.unread) {
      void reload();
      refreshSummary();
    }
  }, [letter, reload, refreshSummary]);

  if (missing) return <p role="alert">{t('letterNotFound')}</p>;
  if (!letter) return <p role="status">{t('loading')}</p>;

  const act = async (action: () => Promise<unknown>, message: string | null, goBack = false) => {
    setBusy(true);
    setConfirmingDelete(false);
    try {
      await action();
      setStatus(message);
      refreshSummary();
      if (goBack) navigate(folderPath(letter.folder));
      else await reload();
    } catch (error) {
      onError(error);
      setStatus(t('error'));
    } finally {
      setBusy(false);
    }
  };
  const move = (folder: Folder, message: string) => act(() => api.move(letter.id, folder), message);

  const needsAck = letter.requiresAcknowledgement && !letter.acknowledgedAt;
  const trash = () => act(() => api.trash(letter.id), t('deleted'));
  const ackClass = !needsAck
    ? 'ack-box done'
    : letter.folder === 'trash'
      ? 'ack-box closed'
      : 'ack-box';
  return (
    <article className="letter-page">
      <p className="back">
        <Link href={folderPath(letter.folder)}>← {t('back', { folder: t(letter.folder) })}</Link>
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {letter.title}
      </h1>
      <dl className="facts">
        <dt>{t('from')}</dt>
        <dd>{letter.sender.name}</dd>
        <dt>{t('received')}</dt>
        <dd>
          <time dateTime={letter.deliveredAt}>{formatDate(letter.deliveredAt, true)}</time>
        </dd>
        {letter.senderReference ? (
          <>
            <dt>{t('senderReference')}</dt>
            <dd>{letter.senderReference}</dd>
          </>
        ) : null}
      </dl>
      <p className="marks">
        <LetterMarks letter={letter} />
      </p>
      <div role="status" className="status">
        {status}
      </div>
      {letter.requiresAcknowledgement ? (
        // Live, so that confirming is announced once, here, rather than again in the status line.
        <section className={ackClass} aria-labelledby="ack-title" aria-live="polite">
          <h2 id="ack-title">
            {!needsAck
              ? `✓ ${t('acknowledged')}`
              : letter.folder === 'trash'
                ? t('notAcknowledged')
                : t('needsAck')}
          </h2>
          {needsAck && letter.folder === 'trash' ? (
            <p>{t('ackInTrash')}</p>
          ) : needsAck && !writable ? (
            <p>{t('ackReadOnly')}</p>
          ) : needsAck ? (
            <>
              <p>{t('ackExplain')}</p>
              {!letter.readAt ? <p>{t('ackNeedsRead')}</p> : null}
              <button
                type="button"
                className="primary"
                disabled={busy || !letter.readAt}
                onClick={() => void act(() => api.acknowledge(letter.id), null)}
              >
                {t('acknowledge')}
              </button>
            </>
          ) : (
            <p>{t('ackDone', { date: formatDate(letter.acknowledgedAt!, true) })}</p>
          )}
        </section>
      ) : null}
      {writable ? null : (
        // Read-only access: the write actions are not offered at all, and this says why.
        <p className="notice read-only">
          {t('readOnlyExplain', { name: mailbox ? mailboxName(t, mailbox) : '' })}
        </p>
      )}
      <div className="actions">
        {writable && letter.folder === 'inbox' ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void move('archive', t('moved', { folder: t('archive') }))}
          >
            {t('moveToArchive')}
          </button>
        ) : null}
        {writable && letter.folder === 'archive' ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void move('inbox', t('moved', { folder: t('inbox') }))}
          >
            {t('moveToInbox')}
          </button>
        ) : null}
        {!writable ? null : letter.folder === 'trash' ? (
          <button type="button" disabled={busy} onClick={() => void move('inbox', t('restored'))}>
            {t('restore')}
          </button>
        ) : (
          <button
            type="button"
            className="danger"
            disabled={busy}
            aria-expanded={needsAck ? confirmingDelete : undefined}
            // A letter still waiting for the citizen's confirmation is not deleted with one tap.
            onClick={() => (needsAck ? setConfirmingDelete(true) : void trash())}
          >
            {t('delete')}
          </button>
        )}
        {writable && letter.folder !== 'trash' ? (
          <button
            type="button"
            disabled={busy || letter.unread}
            onClick={() => void act(() => api.markUnread(letter.id), t('markedUnread'))}
          >
            {t('markUnread')}
          </button>
        ) : null}
        <button type="button" onClick={() => window.print()}>
          {t('print')}
        </button>
        {confirmingDelete ? (
          <div className="confirm-delete" role="alertdialog" aria-labelledby="confirm-delete-text">
            <p id="confirm-delete-text">{t('confirmDeleteUnack')}</p>
            <div className="actions">
              <button type="button" className="danger" disabled={busy} onClick={() => void trash()}>
                {t('deleteAnyway')}
              </button>
              <button type="button" onClick={() => setConfirmingDelete(false)}>
                {t('cancel')}
              </button>
            </div>
          </div>
        ) : null}
      </div>
      <section aria-labelledby="docs-title">
        <h2 id="docs-title">{t('documents')}</h2>
        {letter.endToEnd ? (
          <Suspense fallback={<p role="status">{t('loading')}</p>}>
            <EncryptedDocuments letter={letter} onOpened={onOpened} />
          </Suspense>
        ) : (
          letter.documents.map((doc) => (
            <DocumentView key={doc.id} letterId={letter.id} document={doc} onOpened={onOpened} />
          ))
        )}
      </section>
      <Suspense fallback={null}>
        <Conversation letter={letter} />
      </Suspense>
    </article>
  );
}
