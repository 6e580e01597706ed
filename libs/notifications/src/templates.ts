import { escapeHtml, singleLine } from './html';

export type Language = 'da' | 'nb' | 'en';
export type NotificationKind = 'notify' | 'reminder';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface LetterEmailInput {
  kind: NotificationKind;
  language: Language;
  /** The sending agency's name. */
  sender: string;
  /** The letter's title, which the sender declares non-sensitive (DESIGN "Notifications"). */
  title: string;
  /** The web client's start page: no token, no letter id. */
  webUrl: string;
  /** An organisation's mailbox: its name, so whoever reads for it knows whose post this is. */
  mailboxName?: string | null;
  /** A confidential letter's title stays in Postkasse: the email says only that it is one. */
  confidential?: boolean;
}

/** The lines an organisation's and a confidential letter's email add, by language. */
const MAILBOX_TEXT: Record<Language, { toLine: string; confidential: string }> = {
  nb: {
    toLine: 'Til',
    confidential: 'Brevet er merket fortrolig; tittelen vises bare i Postkasse.',
  },
  da: {
    toLine: 'Til',
    confidential: 'Brevet er mærket fortroligt; titlen vises kun i Postkasse.',
  },
  en: {
    toLine: 'To',
    confidential: 'The letter is marked confidential; its title is shown only in Postkasse.',
  },
};

export interface ConfirmationEmailInput {
  language: Language;
  /** The confirmation link with its single-use token. */
  confirmUrl: string;
  expiresInHours: number;
}

interface LetterPhrases {
  subject: (sender: string) => string;
  lead: string;
  fromLine: string;
  titleLine: string;
  action: string;
  button: string;
  footer: string;
}

const LETTER_TEXT: Record<Language, Record<NotificationKind, LetterPhrases>> = {
  nb: {
    notify: {
      subject: (s) => `Ny post fra ${s}`,
      lead: 'Du har fått et nytt brev i Postkasse.',
      fromLine: 'Fra',
      titleLine: 'Tittel',
      action: 'Logg inn for å lese det:',
      button: 'Åpne Postkasse',
      footer:
        'Du får denne e-posten fordi du har bedt om varsel om ny post. Brevet ligger bare i Postkasse.',
    },
    reminder: {
      subject: (s) => `Påminnelse: ulest brev fra ${s}`,
      lead: 'Du har et brev i Postkasse som du ikke har lest ennå.',
      fromLine: 'Fra',
      titleLine: 'Tittel',
      action: 'Logg inn for å lese det:',
      button: 'Åpne Postkasse',
      footer:
        'Du får denne e-posten fordi du har bedt om varsel om ny post. Brevet ligger bare i Postkasse.',
    },
  },
  da: {
    notify: {
      subject: (s) => `Ny post fra ${s}`,
      lead: 'Du har modtaget et nyt brev i Postkasse.',
      fromLine: 'Fra',
      titleLine: 'Titel',
      action: 'Log ind for at læse det:',
      button: 'Åbn Postkasse',
      footer:
        'Du får denne e-mail, fordi du har bedt om besked om ny post. Brevet findes kun i Postkasse.',
    },
    reminder: {
      subject: (s) => `Påmindelse: ulæst brev fra ${s}`,
      lead: 'Du har et brev i Postkasse, som du ikke har læst endnu.',
      fromLine: 'Fra',
      titleLine: 'Titel',
      action: 'Log ind for at læse det:',
      button: 'Åbn Postkasse',
      footer:
        'Du får denne e-mail, fordi du har bedt om besked om ny post. Brevet findes kun i Postkasse.',
    },
  },
  en: {
    notify: {
      subject: (s) => `New letter from ${s}`,
      lead: 'You have received a new letter in Postkasse.',
      fromLine: 'From',
      titleLine: 'Title',
      action: 'Sign in to read it:',
      button: 'Open Postkasse',
      footer:
        'You receive this email because you asked to be told about new mail. The letter itself is only in Postkasse.',
    },
    reminder: {
      subject: (s) => `Reminder: unread letter from ${s}`,
      lead: 'You have a letter in Postkasse that you have not read yet.',
      fromLine: 'From',
      titleLine: 'Title',
      action: 'Sign in to read it:',
      button: 'Open Postkasse',
      footer:
        'You receive this email because you asked to be told about new mail. The letter itself is only in Postkasse.',
    },
  },
};

const CONFIRM_TEXT: Record<
  Language,
  {
    subject: string;
    lead: string;
    action: string;
    button: string;
    expiry: (h: number) => string;
    ignore: string;
  }
> = {
  nb: {
    subject: 'Bekreft e-postadressen din for Postkasse',
    lead: 'Noen (forhåpentligvis du) har oppgitt denne adressen for varsler fra Postkasse.',
    action: 'Bekreft adressen med denne lenken:',
    button: 'Bekreft e-postadressen',
    expiry: (h) => `Lenken virker én gang og utløper om ${h} timer.`,
    ignore: 'Var det ikke deg, kan du se bort fra denne e-posten.',
  },
  da: {
    subject: 'Bekræft din e-mailadresse til Postkasse',
    lead: 'Nogen (forhåbentlig dig) har angivet denne adresse til beskeder fra Postkasse.',
    action: 'Bekræft adressen med dette link:',
    button: 'Bekræft e-mailadressen',
    expiry: (h) => `Linket virker én gang og udløber om ${h} timer.`,
    ignore: 'Hvis det ikke var dig, kan du se bort fra denne e-mail.',
  },
  en: {
    subject: 'Confirm your email address for Postkasse',
    lead: 'Someone (hopefully you) gave this address for notifications from Postkasse.',
    action: 'Confirm the address with this link:',
    button: 'Confirm email address',
    expiry: (h) => `The link works once and expires in ${h} hours.`,
    ignore: 'If this was not you, you can ignore this email.',
  },
};

function page(language: Language, title: string, body: string): string {
  return [
    '<!doctype html>',
    `<html lang="${language === 'nb' ? 'nb' : language}">`,
    '<head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 36rem; margin: 0 auto; padding: 1rem;">',
    body,
    '</body></html>',
  ].join('\n');
}

function button(href: string, label: string): string {
  return `<p><a href="${escapeHtml(href)}" style="display: inline-block; padding: 0.6rem 1.2rem; background: #0b5394; color: #ffffff; text-decoration: none; border-radius: 4px;">${escapeHtml(label)}</a></p>`;
}

/** The email that tells a citizen about a delivered letter, or reminds them of an unread one. */
export function renderLetterEmail(input: LetterEmailInput): RenderedEmail {
  const t = LETTER_TEXT[input.language][input.kind];
  const m = MAILBOX_TEXT[input.language];
  const sender = singleLine(input.sender);
  const subject = t.subject(sender);
  const rows: [string, string][] = [
    ...(input.mailboxName ? [[m.toLine, singleLine(input.mailboxName)] as [string, string]] : []),
    [t.fromLine, sender],
    ...(input.confidential ? [] : [[t.titleLine, singleLine(input.title)] as [string, string]]),
  ];
  const note = input.confidential ? [m.confidential] : [];
  const text = [
    t.lead,
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    ...note,
    '',
    t.action,
    input.webUrl,
    '',
    '-- ',
    t.footer,
    '',
  ].join('\n');
  const th = '<th scope="row" style="text-align: left; padding-right: 1rem;">';
  const html = page(
    input.language,
    subject,
    [
      `<p>${escapeHtml(t.lead)}</p>`,
      '<table role="presentation" style="border-collapse: collapse;">',
      ...rows.map(
        ([label, value]) => `<tr>${th}${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
      ),
      '</table>',
      ...note.map((line) => `<p>${escapeHtml(line)}</p>`),
      `<p>${escapeHtml(t.action)}</p>`,
      button(input.webUrl, t.button),
      `<p style="font-size: 0.85rem; color: #555555;">${escapeHtml(t.footer)}</p>`,
    ].join('\n'),
  );
  return { subject, text, html };
}

/** The only email an unconfirmed address ever receives. */
export function renderConfirmationEmail(input: ConfirmationEmailInput): RenderedEmail {
  const t = CONFIRM_TEXT[input.language];
  const text = [
    t.lead,
    '',
    t.action,
    input.confirmUrl,
    '',
    t.expiry(input.expiresInHours),
    t.ignore,
    '',
  ].join('\n');
  const html = page(
    input.language,
    t.subject,
    [
      `<p>${escapeHtml(t.lead)}</p>`,
      `<p>${escapeHtml(t.action)}</p>`,
      button(input.confirmUrl, t.button),
      `<p>${escapeHtml(t.expiry(input.expiresInHours))}<br>${escapeHtml(t.ignore)}</p>`,
    ].join('\n'),
  );
  return { subject: t.subject, text, html };
}

const CONFIRM_PAGE_TEXT: Record<
  Language,
  { title: string; ask: string; button: string; done: string }
> = {
  nb: {
    title: 'Bekreft e-postadressen',
    ask: 'Trykk på knappen for å bekrefte adressen for varsler fra Postkasse.',
    button: 'Bekreft',
    done: 'Takk! E-postadressen er bekreftet. Du får nå varsel om ny post.',
  },
  da: {
    title: 'Bekræft e-mailadressen',
    ask: 'Tryk på knappen for at bekræfte adressen til beskeder fra Postkasse.',
    button: 'Bekræft',
    done: 'Tak! E-mailadressen er bekræftet. Du får nu besked om ny post.',
  },
  en: {
    title: 'Confirm email address',
    ask: 'Press the button to confirm the address for notifications from Postkasse.',
    button: 'Confirm',
    done: 'Thank you! The email address is confirmed. You will now be told about new mail.',
  },
};

/**
 * The page the confirmation link opens. Confirming takes a POST from this page's button, so a
 * mail scanner that follows links (a GET) confirms nothing.
 */
export function renderConfirmationPage(language: Language, postAction: string): string {
  const t = CONFIRM_PAGE_TEXT[language];
  return page(
    language,
    t.title,
    [
      `<h1>${escapeHtml(t.title)}</h1>`,
      `<p>${escapeHtml(t.ask)}</p>`,
      `<form method="post" action="${escapeHtml(postAction)}"><button type="submit">${escapeHtml(t.button)}</button></form>`,
    ].join('\n'),
  );
}

export function renderConfirmedPage(language: Language): string {
  const t = CONFIRM_PAGE_TEXT[language];
  return page(language, t.title, `<h1>${escapeHtml(t.title)}</h1>\n<p>${escapeHtml(t.done)}</p>`);
}
