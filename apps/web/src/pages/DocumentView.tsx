import { useEffect, useState } from 'react';
import { api, type MailboxDocument } from '../api';
import { useApp } from '../context';

/**
 * The document's bytes, fetched with the token (never in a URL). A PDF is shown from a view
 * ticket's URL instead of a blob: URL, so the browser's viewer names it by its filename; without
 * a ticket (Redis down) it falls back to the blob.
 */
export function DocumentView({
  letterId,
  document,
  onOpened,
}: {
  letterId: string;
  document: MailboxDocument;
  onOpened: () => void;
}) {
  const { onError, t } = useApp();
  const [shown, setShown] = useState<{ blob: Blob; viewUrl: string | null } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    // The fetch with the token comes first, so it is the read and the download link has bytes.
    const viewUrl =
      document.mediaType === 'application/pdf'
        ? api.viewUrl(letterId, document.id).catch(() => null)
        : Promise.resolve(null);
    Promise.all([api.document(letterId, document.id), viewUrl])
      .then(([blob, url]) => {
        if (!live) return;
        setShown({ blob, viewUrl: url });
        onOpened();
      })
      .catch((error: unknown) => {
        if (!live) return;
        setFailed(true);
        onError(error);
      });
    return () => {
      live = false;
    };
  }, [letterId, document.id]);
  if (failed) return <p role="alert">{t('documentFailed')}</p>;
  if (!shown) return <p role="status">{t('loading')}</p>;
  return (
    <RenderedDocument
      filename={document.filename}
      mediaType={document.mediaType}
      data={shown.blob}
      viewUrl={shown.viewUrl}
    />
  );
}

export function RenderedDocument({
  filename,
  mediaType,
  data,
  viewUrl = null,
}: {
  filename: string;
  mediaType: string;
  data: Blob;
  /** Where the PDF viewer fetches the document itself (a view ticket), instead of a blob. */
  viewUrl?: string | null;
}) {
  const { t } = useApp();
  const [urls, setUrls] = useState<{ view: string | null; download: string } | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [html, setHtml] = useState<string | null>(null);
  const kind = kindOf(mediaType);
  useEffect(() => {
    // The download is opaque bytes: a blob: URL carries the app's origin, so an agency's HTML,
    // SVG or XML given its own type would run as the app if opened in a new tab. Only the PDF
    // viewer and <img> get a typed URL; text and HTML are shown from their text.
    const downloadUrl = URL.createObjectURL(new Blob([data], { type: 'application/octet-stream' }));
    const blobUrl =
      (kind === 'pdf' && !viewUrl) || kind === 'image'
        ? URL.createObjectURL(new Blob([data], { type: mediaType }))
        : null;
    setUrls({ view: blobUrl ?? viewUrl, download: downloadUrl });
    if (kind === 'text') void data.text().then(setText);
    if (kind === 'html')
      void Promise.all([data.text(), import('../sanitize')]).then(([raw, m]) =>
        setHtml(m.sanitizedDocument(raw, m.styleNonce())),
      );
    return () => {
      URL.revokeObjectURL(downloadUrl);
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    };
  }, [data, mediaType, kind, viewUrl]);
  if (!urls) return null;
  const download = (
    <a className="download" href={urls.download} download={filename}>
      {t('download', { name: filename })}
    </a>
  );
  return (
    <figure className="document" data-media-type={mediaType}>
      <figcaption>{filename}</figcaption>
      {kind === 'pdf' && urls.view ? (
        <object
          data={urls.view}
          type="application/pdf"
          className="pdf"
          title={filename}
          aria-label={filename}
        >
          <p>{t('pdfFallback')}</p>
        </object>
      ) : null}
      {kind === 'image' && urls.view ? (
        <img src={urls.view} alt={filename} className="image" />
      ) : null}
      {kind === 'text' && text !== null ? (
        <pre className="text" tabIndex={0} aria-label={filename}>
          {text}
        </pre>
      ) : null}
      {kind === 'html' && html !== null ? (
        // No scripts, no same-origin, no network: the sandbox and the policy inside both say so.
        <iframe className="html" title={filename} sandbox="" srcDoc={html} />
      ) : null}
      {download}
    </figure>
  );
}

function kindOf(mediaType: string): 'pdf' | 'image' | 'text' | 'html' | 'other' {
  if (mediaType === 'application/pdf') return 'pdf';
  if (/^image\/(png|jpeg|gif)$/.test(mediaType)) return 'image';
  if (mediaType === 'text/plain' || mediaType === 'text/csv') return 'text';
  if (mediaType === 'text/html') return 'html';
  return 'other';
}
