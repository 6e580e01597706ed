import { useEffect, useState, type FormEvent } from 'react';
import { api, type MailboxKey } from '../api';
import { useApp } from '../context';
import { userName } from '../auth';

export default function KeySettings() {
  const { t, onError } = useApp();
  const [key, setKey] = useState<MailboxKey | null>(null);
  const [mode, setMode] = useState<'generate' | 'import'>('generate');
  const [armored, setArmored] = useState('');
  const [pass, setPass] = useState('');
  const [repeat, setRepeat] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.key().then(setKey).catch(onError);
  }, [onError]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pass.length < 10) return setStatus(t('passphraseShort'));
    if (pass !== repeat) return setStatus(t('passphraseMismatch'));
    setBusy(true);
    setStatus(t('working'));
    try {
      const e2e = await import('../end-to-end-encryption');
      const made =
        mode === 'generate'
          ? await e2e.generateKey(userName(), pass)
          : await e2e.importKey(armored, pass);
      setKey(await api.saveKey(made.publicKey, made.encryptedPrivateKey));
      setPass('');
      setRepeat('');
      setArmored('');
      setStatus(t('keySaved'));
    } catch (error) {
      onError(error);
      setStatus(t('error'));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api.removeKey();
      // The server's view, with the time of removal.
      setKey(await api.key());
      setStatus(t('keyRemoved'));
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="key-settings" aria-labelledby="key-title">
      <h2 id="key-title">{t('encryption')}</h2>
      <p>{t('encryptionIntro')}</p>
      {key?.fingerprint ? (
        <>
          <p className="fingerprint">{t('keyRegistered', { fingerprint: key.fingerprint })}</p>
          <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
            {t('removeKey')}
          </button>
        </>
      ) : key ? (
        <form onSubmit={(e) => void submit(e)}>
          <p>{t('noKey')}</p>
          <fieldset className="field">
            <legend className="visually-hidden">{t('encryption')}</legend>
            <label className="check">
              <input
                type="radio"
                name="key-mode"
                checked={mode === 'generate'}
                onChange={() => setMode('generate')}
              />{' '}
              {t('generateKey')}
            </label>
            <label className="check">
              <input
                type="radio"
                name="key-mode"
                checked={mode === 'import'}
                onChange={() => setMode('import')}
              />{' '}
              {t('importKey')}
            </label>
          </fieldset>
          {mode === 'import' ? (
            <div className="field">
              <label htmlFor="armored">{t('privateKey')}</label>
              <textarea
                id="armored"
                rows={6}
                value={armored}
                onChange={(e) => setArmored(e.target.value)}
                required
              />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="passphrase">{t('passphrase')}</label>
            <input
              id="passphrase"
              type="password"
              autoComplete="new-password"
              aria-describedby="passphrase-help"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
            />
            <p id="passphrase-help" className="help">
              {t('passphraseHelp')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="passphrase-repeat">{t('passphraseRepeat')}</label>
            <input
              id="passphrase-repeat"
              type="password"
              autoComplete="new-password"
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={busy}>
            {mode === 'generate' ? t('generateKey') : t('importKey')}
          </button>
        </form>
      ) : null}
      <p role="status" className="status">
        {status}
      </p>
    </section>
  );
}
