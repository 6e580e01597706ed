import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, type MailboxKey } from '../api';
import { checkAttachments, type AttachmentProblem } from '../compose';
import { useApp } from '../context';
import type { Translate } from '../i18n';
import type { SealedDocument } from '../replies';
import { Outcome, useAction } from './fields';

function describeProblem(t: Translate, p: AttachmentProblem): string {
  if (p.problem === 'tooMany') return t('attachTooMany', { max: p.max });
  if (p.problem === 'tooLarge') return t('attachTooLarge', { name: p.name });
  if (p.problem === 'badName') return t('attachBadName', { name: p.name });
  return t('attachBadType', { name: p.name });
}

/**
 * Writing to an agency: a text and attachments, encrypted in this browser to the agency's key and
 * to the citizen's own (when they have one, so they can read what they sent), signed with the
 * citizen's key when they give its passphrase. Only ciphertext leaves the browser.
 */
export default function Composer({
  idPrefix,
  agencyKey,
  submitLabel,
  extraFields,
  ready = true,
  onSend,
}: {
  idPrefix: string;
  agencyKey: string;
  submitLabel: string;
  extraFields?: ReactNode;
  ready?: boolean;
  onSend: (documents: SealedDocument[]) => Promise<void>;
}) {
  const { t, onError } = useApp();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [passphrase, setPassphrase] = useState('');
  const [ownKey, setOwnKey] = useState<MailboxKey | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const { busy, problem, setProblem, run } = useAction();
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api.key().then(setOwnKey).catch(onError);
  }, [onError]);

  const send = async (withText: boolean) => {
    const e2e = await import('../end-to-end-encryption');
    let signingKey = null;
    if (ownKey?.encryptedPrivateKey && passphrase) {
      signingKey = await e2e.unlock(ownKey.encryptedPrivateKey, passphrase).catch(() => null);
      if (!signingKey) return setProblem(t('signUnlockFailed'));
    }
    const recipients = ownKey?.publicKey ? [agencyKey, ownKey.publicKey] : [agencyKey];
    const seal = async (data: Uint8Array, filename: string, mediaType: string) => ({
      filename,
      mediaType,
      content: await e2e.encryptForAgency(data, filename, recipients, signingKey),
    });
    const documents: SealedDocument[] = [];
    if (withText)
      documents.push(
        await seal(new TextEncoder().encode(text), t('replyTextFilename'), 'text/plain'),
      );
    for (const file of files)
      documents.push(await seal(new Uint8Array(await file.arrayBuffer()), file.name, file.type));
    await onSend(documents);
    setText('');
    setFiles([]);
    setPassphrase('');
    if (fileInput.current) fileInput.current.value = '';
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const withText = text.trim() !== '';
    if (!withText && files.length === 0) return setProblem(t('replyEmpty'));
    const bad = checkAttachments(files, withText);
    if (bad) return setProblem(describeProblem(t, bad));
    void run(async () => {
      setStatus(t('encrypting'));
      try {
        await send(withText);
      } finally {
        setStatus(null);
      }
    });
  };

  return (
    <form className="composer settings" onSubmit={submit} noValidate>
      {extraFields}
      <div className="field">
        <label htmlFor={`${idPrefix}-text`}>{t('replyText')}</label>
        <textarea
          id={`${idPrefix}-text`}
          rows={6}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-files`}>{t('attachments')}</label>
        <input
          id={`${idPrefix}-files`}
          ref={fileInput}
          type="file"
          multiple
          aria-describedby={`${idPrefix}-files-help`}
          onChange={(e) => setFiles([...(e.target.files ?? [])])}
        />
        <p id={`${idPrefix}-files-help`} className="help">
          {t('attachmentsHelp')}
        </p>
      </div>
      {ownKey?.encryptedPrivateKey ? (
        <div className="field">
          <label htmlFor={`${idPrefix}-passphrase`}>{t('signPassphrase')}</label>
          <input
            id={`${idPrefix}-passphrase`}
            type="password"
            autoComplete="current-password"
            aria-describedby={`${idPrefix}-passphrase-help`}
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
          <p id={`${idPrefix}-passphrase-help`} className="help">
            {t('signPassphraseHelp')}
          </p>
        </div>
      ) : null}
      <p className="help">{t('replyEncryptedNote')}</p>
      <button type="submit" className="primary" disabled={busy || !ready}>
        {busy ? t('working') : submitLabel}
      </button>
      <Outcome status={status} problem={problem} />
    </form>
  );
}
