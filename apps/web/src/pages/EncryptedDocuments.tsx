import { useState, type FormEvent } from 'react';
import { api, type MailboxLetter } from '../api';
import { useApp } from '../context';
import { decryptDocument, unlock, type Decrypted } from '../end-to-end-encryption';
import { RenderedDocument } from './DocumentView';

/** Documents only the citizen's own key opens; the passphrase is asked for every time. */
export default function EncryptedDocuments({
  letter,
  onOpened,
}: {
  letter: MailboxLetter;
  onOpened: () => void;
}) {
  const { t, onError } = useApp();
  const [pass, setPass] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const [opened, setOpened] = useState<(Decrypted & { id: string })[] | null>(null);

  const open = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailed(null);
    try {
      const key = await api.key();
      if (!key.encryptedPrivateKey) {
        setFailed(t('keyMissing'));
        return;
      }
      const privateKey = await unlock(key.encryptedPrivateKey, pass).catch(() => null);
      if (!privateKey) {
        setFailed(t('unlockFailed'));
        return;
      }
      const senderKeys = (await api.senderKeys(letter.id)).keys.map((k) => k.publicKey);
      const results = [];
      for (const doc of letter.documents) {
        const blob = await api.document(letter.id, doc.id);
        const decrypted = await decryptDocument(
          new Uint8Array(await blob.arrayBuffer()),
          privateKey,
          senderKeys,
        );
        results.push({ ...decrypted, id: doc.id });
      }
      onOpened();
      setPass('');
      setOpened(results);
    } catch (error) {
      onError(error);
      setFailed(t('unlockFailed'));
    } finally {
      setBusy(false);
    }
  };

  if (opened) {
    return (
      <>
        {opened.map((d) => {
          const doc = letter.documents.find((x) => x.id === d.id)!;
          return (
            <div key={d.id}>
              <p className={d.signature === 'valid' ? 'signature ok' : 'signature bad'} role="note">
                {d.signature === 'valid'
                  ? t('signatureOk', { signer: `${letter.sender.name} (${d.signer ?? ''})` })
                  : t('signatureBad')}
              </p>
              <RenderedDocument
                filename={doc.filename}
                mediaType={doc.mediaType}
                data={new Blob([d.data as BlobPart], { type: doc.mediaType })}
              />
            </div>
          );
        })}
      </>
    );
  }
  return (
    <form className="unlock" onSubmit={(e) => void open(e)}>
      <p>
        <strong>{t('unlockTitle')}</strong>
      </p>
      <div className="field">
        <label htmlFor="unlock-passphrase">{t('passphrase')}</label>
        <input
          id="unlock-passphrase"
          type="password"
          autoComplete="current-password"
          value={pass}
          onChange={(e) => setPass(e.target.value)}
        />
      </div>
      <button type="submit" className="primary" disabled={busy || !pass}>
        {busy ? t('working') : t('unlock')}
      </button>
      {failed ? <p role="alert">{failed}</p> : null}
    </form>
  );
}
