import { useState } from 'react';
import { api } from '../api';
import { useApp } from '../context';

/** "Download all my post": the mailbox export (docs/web-client.md), saved under its filename. */
export default function ExportSettings() {
  const { t, onError } = useApp();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  const download = async () => {
    setBusy(true);
    setStatus(t('working'));
    try {
      const { blob, filename } = await api.exportMailbox();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      link.click();
      // After the click has handed the blob to the download.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setStatus(t('exportDone', { name: filename }));
    } catch (error) {
      onError(error);
      setStatus(t('error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="key-settings" aria-labelledby="export-title">
      <h2 id="export-title">{t('exportTitle')}</h2>
      <p>{t('exportIntro')}</p>
      <button type="button" className="primary" disabled={busy} onClick={() => void download()}>
        {t('exportButton')}
      </button>
      <p role="status" className="status">
        {status}
      </p>
    </section>
  );
}
