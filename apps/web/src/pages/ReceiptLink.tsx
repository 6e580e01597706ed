import { useEffect, useState } from 'react';
import { useApp } from '../context';

/**
 * The citizen's own signed receipt, as the API gave it, to keep: it proves when their reply
 * reached the agency, and verifies offline against the platform's published keys.
 */
export function ReceiptLink({ id, receipt }: { id: string; receipt: unknown }) {
  const { t } = useApp();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const made = URL.createObjectURL(
      new Blob([JSON.stringify(receipt, null, 2)], { type: 'application/octet-stream' }),
    );
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [receipt]);
  if (!url) return null;
  return (
    <a className="download" href={url} download={`reply-receipt-${id}.json`}>
      {t('downloadReceipt')}
    </a>
  );
}
