import {
  renderConfirmationEmail,
  renderConfirmationPage,
  renderLetterEmail,
  type Language,
  type NotificationKind,
} from '../src/templates';

const base = {
  sender: 'NAV',
  title: 'Vedtak om dagpenger',
  webUrl: 'https://post.example/',
};

const expected: Record<Language, Record<NotificationKind, { subject: string; lines: string[] }>> = {
  nb: {
    notify: {
      subject: 'Ny post fra NAV',
      lines: [
        'Du har fått et nytt brev i Postkasse.',
        '',
        'Fra: NAV',
        'Tittel: Vedtak om dagpenger',
        '',
        'Logg inn for å lese det:',
        'https://post.example/',
      ],
    },
    reminder: {
      subject: 'Påminnelse: ulest brev fra NAV',
      lines: ['Du har et brev i Postkasse som du ikke har lest ennå.', '', 'Fra: NAV'],
    },
  },
  da: {
    notify: {
      subject: 'Ny post fra NAV',
      lines: [
        'Du har modtaget et nyt brev i Postkasse.',
        '',
        'Fra: NAV',
        'Titel: Vedtak om dagpenger',
        '',
        'Log ind for at læse det:',
        'https://post.example/',
      ],
    },
    reminder: {
      subject: 'Påmindelse: ulæst brev fra NAV',
      lines: ['Du har et brev i Postkasse, som du ikke har læst endnu.', '', 'Fra: NAV'],
    },
  },
  en: {
    notify: {
      subject: 'New letter from NAV',
      lines: [
        'You have received a new letter in Postkasse.',
        '',
        'From: NAV',
        'Title: Vedtak om dagpenger',
        '',
        'Sign in to read it:',
        'https://post.example/',
      ],
    },
    reminder: {
      subject: 'Reminder: unread letter from NAV',
      lines: ['You have a letter in Postkasse that you have not read yet.', '', 'From: NAV'],
    },
  },
};

describe('letter emails', () => {
  for (const language of ['nb', 'da', 'en'] as const) {
    for (const kind of ['notify', 'reminder'] as const) {
      it(`has the ${language} ${kind} subject and body lines`, () => {
        const email = renderLetterEmail({ ...base, kind, language });
        const want = expected[language][kind];
        expect(email.subject).toBe(want.subject);
        expect(email.text.split('\n').slice(0, want.lines.length)).toEqual(want.lines);
        expect(email.html).toContain(`<html lang="${language}">`);
        expect(email.html).toContain('href="https://post.example/"');
      });
    }
  }

  it('escapes the title and sender in HTML and keeps them verbatim in text', () => {
    const email = renderLetterEmail({
      ...base,
      kind: 'notify',
      language: 'en',
      sender: 'A & B <Etat>',
      title: `<img src=x onerror="alert('x')">`,
    });
    expect(email.html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('A &amp; B &lt;Etat&gt;');
    expect(email.text).toContain(`Title: <img src=x onerror="alert('x')">`);
    expect(email.subject).toBe('New letter from A & B <Etat>');
  });

  it('escapes a link that tries to leave its attribute', () => {
    const email = renderLetterEmail({
      ...base,
      kind: 'notify',
      language: 'en',
      webUrl: 'https://x/"><b>',
    });
    expect(email.html).toContain('href="https://x/&quot;&gt;&lt;b&gt;"');
  });

  it('keeps line breaks in a title out of the subject and the text lines', () => {
    const email = renderLetterEmail({
      ...base,
      kind: 'notify',
      language: 'nb',
      sender: 'NAV\r\nBcc: victim@example.com',
      title: 'Linje 1\nLinje 2\u2028Linje 3',
    });
    expect(email.subject).toBe('Ny post fra NAV Bcc: victim@example.com');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain('Tittel: Linje 1 Linje 2 Linje 3\n');
  });

  it('carries nothing but what it is given: no ids, no content', () => {
    const email = renderLetterEmail({ ...base, kind: 'notify', language: 'nb' });
    const all = `${email.subject}\n${email.text}\n${email.html}`;
    expect(all).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(all).not.toMatch(/\d{11}/);
  });
});

describe('confirmation emails', () => {
  const subjects: Record<Language, string> = {
    nb: 'Bekreft e-postadressen din for Postkasse',
    da: 'Bekræft din e-mailadresse til Postkasse',
    en: 'Confirm your email address for Postkasse',
  };
  for (const language of ['nb', 'da', 'en'] as const) {
    it(`has the ${language} subject, the link and the expiry`, () => {
      const url = 'https://api.example/v1/email-confirmation?token=abc_DEF-123';
      const email = renderConfirmationEmail({ language, confirmUrl: url, expiresInHours: 48 });
      expect(email.subject).toBe(subjects[language]);
      expect(email.text.split('\n')[3]).toBe(url);
      expect(email.text).toContain('48');
      expect(email.html).toContain(`href="${url}"`);
    });
  }

  it('renders the confirmation page with an escaped form action', () => {
    const html = renderConfirmationPage('en', '/v1/email-confirmation?token=a&b="c"');
    expect(html).toContain(
      '<form method="post" action="/v1/email-confirmation?token=a&amp;b=&quot;c&quot;">',
    );
  });
});

describe("an organisation's letter email", () => {
  it.each([
    ['nb', 'Til: Acme <AS>', 'Brevet er merket fortrolig; tittelen vises bare i Postkasse.'],
    ['da', 'Til: Acme <AS>', 'Brevet er mærket fortroligt; titlen vises kun i Postkasse.'],
    [
      'en',
      'To: Acme <AS>',
      'The letter is marked confidential; its title is shown only in Postkasse.',
    ],
  ] as const)('names the mailbox and keeps a confidential title out (%s)', (language, to, note) => {
    const email = renderLetterEmail({
      ...base,
      kind: 'notify',
      language,
      mailboxName: 'Acme <AS>',
      confidential: true,
    });
    expect(email.text).toContain(to);
    expect(email.text).toContain(note);
    expect(email.text).not.toContain('Vedtak om dagpenger');
    expect(email.html).not.toContain('Vedtak om dagpenger');
    expect(email.html).toContain('Acme &lt;AS&gt;');
  });

  it('shows the title of a letter that is not confidential', () => {
    const email = renderLetterEmail({
      ...base,
      kind: 'notify',
      language: 'en',
      mailboxName: 'Acme AS',
    });
    expect(email.text).toContain('To: Acme AS\nFrom: NAV\nTitle: Vedtak om dagpenger');
  });
});
