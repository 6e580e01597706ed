import type { DemoAccount } from './demo-accounts';

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const STYLE = `
  *{box-sizing:border-box}
  body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24}
  main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}
  h1{font-size:1.4rem;margin:0 0 .25rem}
  p{margin:.25rem 0 1rem;color:#3d4650}
  .note{background:#fff4d6;border:1px solid #8a6d00;border-radius:.5rem;padding:.5rem .75rem;color:#3d3000}
  ul{list-style:none;margin:0 0 1.5rem;padding:0}
  li{margin:0 0 .5rem}
  button{width:100%;min-height:3rem;font:inherit;border-radius:.5rem;border:1px solid #0b4f8a;
    background:#fff;color:#0b4f8a;text-align:left;padding:.6rem 1rem;cursor:pointer}
  button:hover{background:#e8f1fa}
  button:focus-visible,input:focus-visible{outline:3px solid #1b1f24;outline-offset:2px}
  button.primary{background:#0b4f8a;color:#fff;text-align:center}
  small{display:block;color:#3d4650}
  label{display:block;font-weight:600;margin-bottom:.25rem}
  input{width:100%;font:inherit;padding:.6rem;border:1px solid #5b6570;border-radius:.5rem;margin-bottom:.5rem}
  .error{color:#a4000f;font-weight:600}
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** The development issuer's login: pick who to be. No passwords; never in production. */
export function interactionPage(uid: string, accounts: DemoAccount[], error?: 'invalid'): string {
  const action = `/dev-oidc/interaction/${encodeURIComponent(uid)}`;
  const items = accounts
    .map(
      (a) => `<li><button type="submit" name="account" value="${escape(a.accountId)}">
        ${escape(a.name)}<small>${a.nationalId ? `Citizen · ${escape(a.nationalId)}${a.description ? ` · ${escape(a.description)}` : ''}` : 'Auditor'}</small>
      </button></li>`,
    )
    .join('');
  return page(
    'Log in – Postkasse development login',
    `<h1>Log in to Postkasse</h1>
    <p class="note">Development login: pick a test person. A real deployment sends you to the
    national login service instead.</p>
    ${error ? '<p class="error" role="alert">That is not a known test person or an 11-digit number.</p>' : ''}
    <form method="post" action="${action}">
      <h2 style="font-size:1.1rem">Test people</h2>
      <ul>${items}</ul>
    </form>
    <form method="post" action="${action}">
      <label for="nationalId">Another synthetic national identity number</label>
      <input id="nationalId" name="nationalId" inputmode="numeric" autocomplete="off" pattern="[0-9]{11}" required>
      <button class="primary" type="submit" name="account" value="typed">Log in with this number</button>
    </form>`,
  );
}

/** RP-initiated logout: the session ends when the form is sent; the page sends it itself. */
export function logoutPage(form: string): string {
  return page(
    'Log out – Postkasse development login',
    `<h1>Log out</h1>${form}
    <p>You are being logged out of the development login.</p>
    <button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Log out</button>
    <script>document.querySelector('button[name=logout]').click()</script>`,
  );
}

export function errorPage(out: Record<string, string>): string {
  return page(
    'Login error',
    `<h1>Login error</h1><p role="alert">${escape(out.error ?? 'error')}: ${escape(out.error_description ?? '')}</p>`,
  );
}
