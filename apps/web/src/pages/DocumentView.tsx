import { useEffect, useState } from 'react';
import { api, type MailboxDocument } from '../api';
import { useApp } from '../context';

/** The document's bytes, fetched with the token (never in a URL), shown from a blob: URL. */
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
  const [blob, setBlob] = useState<Blob | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    api
      .document(letterId, document.id)
      .then((b) => {
        if (!live) return;
        setBlob(b);
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
  if (!blob) return <p role="status">{t('loading')}</p>;
  return (
    <RenderedDocument filename={document.filename} mediaType={document.mediaType} data={blob} />
  );
}

export function RenderedDocument({
  filename,
  mediaType,
  data,
}: {
  filename: string;
  mediaType: string;
  data: Blob;
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
    const viewUrl =
      kind === 'pdf' || kind === 'image'
        ? URL.createObjectURL(new Blob([data], { type: mediaType }))
        : null;
    setUrls({ view: viewUrl, download: downloadUrl });
    if (kind === 'text') void data.text().then(setText);
    if (kind === 'html')
      void Promise.all([data.text(), import('../sanitize')]).then(([raw, m]) =>
        setHtml(m.sanitizedDocument(raw, m.styleNonce())),
      );
    return () => {
      URL.revokeObjectURL(downloadUrl);
      if (viewUrl) URL.revokeObjectURL(viewUrl);
    };
  }, [data, mediaType, kind]);
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
