import DOMPurify from 'dompurify';

const REMOTE = /^\s*(https?:|\/\/|ftp:)/i;

/**
 * An agency's own CSS, kept but made inert: nothing that fetches (url(), @import, fonts), nothing
 * that runs (old IE expressions and bindings), and no "<" so it cannot close its <style>.
 */
export function cleanCss(css: string): string {
  return css
    .replace(/</g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/@import[^;]*;?/gi, '')
    .replace(/@font-face\s*\{[^}]*\}/gi, '')
    .replace(/url\s*\([^)]*\)?/gi, 'none')
    .replace(/expression\s*\(/gi, '(')
    .replace(/(-moz-binding|behavior)\s*:[^;}]*/gi, '');
}

/**
 * An agency's HTML letter, made safe to show: DOMPurify removes scripts, event handlers and
 * forms; every attribute that could fetch something remote is dropped (no tracking pixels,
 * no remote fonts or styles); the result carries a policy that forbids any network access.
 *
 * Its styles survive: the frame inherits the app's policy, which allows only a <style> with the
 * page's nonce, so the letter's <style> elements and style="" attributes (each turned into a
 * rule for a data attribute) are cleaned and gathered into one such <style>.
 */
export function sanitizedDocument(raw: string, nonce = ''): string {
  const sheets = [...new DOMParser().parseFromString(raw, 'text/html').querySelectorAll('style')]
    .map((style) => cleanCss(style.textContent ?? ''))
    .filter((css) => css.trim() !== '');
  const inline: string[] = [];
  const purify = DOMPurify();
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    if (
      ['src', 'srcset', 'background', 'poster', 'action', 'formaction', 'xlink:href'].includes(name)
    ) {
      if (!/^\s*data:image\//i.test(data.attrValue)) data.keepAttr = false;
    }
    if (name === 'href' && REMOTE.test(data.attrValue)) data.attrValue = '#';
    if (name === 'data-pk-style') data.keepAttr = false;
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    const style = node.getAttribute('style');
    if (style === null) return;
    node.removeAttribute('style');
    const css = cleanCss(style).replace(/[{}]/g, '');
    if (css.trim() === '') return;
    node.setAttribute('data-pk-style', String(inline.length));
    inline.push(`[data-pk-style="${inline.length}"]{${css}}`);
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
  const nonceAttr = nonce ? ` nonce="${nonce.replace(/[^A-Za-z0-9+/=]/g, '')}"` : '';
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<style${nonceAttr}>body{font:16px/1.5 system-ui,sans-serif;margin:1rem;color:#1b1f24;overflow-wrap:anywhere}img{max-width:100%}
${[...sheets, ...inline].join('\n')}</style>
</head><body>${body}</body></html>`;
}

/** The page's style nonce (see the API's content security policy), if it has one. */
export function styleNonce(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="style-nonce"]')?.nonce ?? '';
}
