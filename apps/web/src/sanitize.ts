import DOMPurify from 'dompurify';

const REMOTE = /^\s*(https?:|\/\/|ftp:)/i;

/**
 * An agency's HTML letter, made safe to show: DOMPurify removes scripts, event handlers and
 * forms; every attribute that could fetch something remote is dropped (no tracking pixels,
 * no remote fonts or styles); the result carries a policy that forbids any network access.
 */
export function sanitizedDocument(raw: string): string {
  const purify = DOMPurify();
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    if (
      ['src', 'srcset', 'background', 'poster', 'action', 'formaction', 'xlink:href'].includes(name)
    ) {
      if (!/^\s*data:image\//i.test(data.attrValue)) data.keepAttr = false;
    }
    if (name === 'href' && REMOTE.test(data.attrValue)) data.attrValue = '#';
    if (name === 'style' && /url\s*\(/i.test(data.attrValue)) data.keepAttr = false;
  });
  const body = purify.sanitize(raw, {
    FORBID_TAGS: [
      'style',
      'link',
      'meta',
      'base',
      'form',
      'input',
      'button',
      'iframe',
      'object',
      'embed',
      'svg',
      'math',
    ],
    WHOLE_DOCUMENT: false,
  });
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<style>body{font:16px/1.5 system-ui,sans-serif;margin:1rem;color:#1b1f24;overflow-wrap:anywhere}img{max-width:100%}</style>
</head><body>${body}</body></html>`;
}
