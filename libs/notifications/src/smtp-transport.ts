import nodemailer from 'nodemailer';

export interface MailTransportSettings {
  /** `smtp://host:port` (STARTTLS when the server offers it) or `smtps://` (implicit TLS);
   * credentials in the URL; `?requireTLS=true`, `?tls.rejectUnauthorized=false` for tuning. */
  smtpUrl: string;
  poolSize: number;
  dkim: { domainName: string; keySelector: string; privateKey: string } | null;
}

export interface OutgoingEmail {
  from: string;
  /**
   * One address, or several people who must not learn each other's addresses: those go as
   * Bcc in one SMTP transaction, so the email is still sent (or not) once.
   */
  to: string | readonly string[];
  subject: string;
  text: string;
  html: string;
}

export interface MailSender {
  send(email: OutgoingEmail): Promise<{ messageId: string; response: string }>;
  close(): void;
}

function flag(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  return value === 'true' || value === '1';
}

/** Nodemailer's pooled SMTP options from one `SMTP_URL`. */
export function smtpOptions(settings: MailTransportSettings) {
  const url = new URL(settings.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const rejectUnauthorized = flag(url.searchParams.get('tls.rejectUnauthorized'));
  return {
    pool: true as const,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // Without requireTLS nodemailer upgrades with STARTTLS whenever the server offers it.
    requireTLS: flag(url.searchParams.get('requireTLS')) ?? false,
    ignoreTLS: flag(url.searchParams.get('ignoreTLS')) ?? false,
    auth: url.username
      ? {
          user: decodeURIComponent(url.username),
          pass: decodeURIComponent(url.password),
        }
      : undefined,
    maxConnections: settings.poolSize,
    maxMessages: 1_000,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    tls: rejectUnauthorized === undefined ? undefined : { rejectUnauthorized },
    dkim: settings.dkim ?? undefined,
  };
}

/** A pooled nodemailer SMTP transport; DKIM-signs every message when a key is configured. */
export function createMailSender(settings: MailTransportSettings): MailSender {
  const transport = nodemailer.createTransport(smtpOptions(settings));
  return {
    async send({ to, ...email }) {
      const info = await transport.sendMail({
        ...email,
        ...(typeof to === 'string' ? { to } : { bcc: [...to] }),
        // Bounces go nowhere useful yet (DESIGN "Planned"); say so to auto-responders.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
      return { messageId: info.messageId, response: String(info.response ?? '') };
    },
    close() {
      transport.close();
    },
  };
}

export type SmtpFailure =
  | { permanent: true; code: string; detail: string }
  | { permanent: false; code: string; detail: string };

const EMAIL = /[^\s<>"'@]+@[^\s<>"'@]+/g;

/** Servers echo the recipient in their answers; the receipt that carries the reason must not. */
export function redactAddresses(text: string): string {
  return text.replace(EMAIL, '<address>').slice(0, 300);
}

/**
 * SMTP 5xx is final (RFC 5321 §4.2.1), except an authentication failure, which is our own
 * configuration and should drain once fixed. 4xx answers and connection errors are transient.
 */
export function classifySmtpError(error: unknown): SmtpFailure {
  const e = error as { responseCode?: number; code?: string; response?: string; message?: string };
  const detail = redactAddresses(e.response || e.message || String(error));
  if (typeof e.responseCode === 'number') {
    const code = `smtp.${e.responseCode}`;
    if (e.responseCode >= 500 && e.code !== 'EAUTH') return { permanent: true, code, detail };
    return { permanent: false, code, detail };
  }
  return { permanent: false, code: `smtp.${(e.code ?? 'error').toLowerCase()}`, detail };
}
