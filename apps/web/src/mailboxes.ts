import { call, json, type Schemas } from './api';
import type { Translate } from './i18n';

// Who may act for which mailbox (DESIGN, second round), as the API's OpenAPI document declares it.
export type Me = Schemas['Me'];
export type MailboxChoice = Schemas['MailboxToActFor'];
export type MailboxRole = MailboxChoice['role'];
export type Grant = Schemas['Grant'];
export type GrantRequest = Schemas['GrantRequest'];
export type Access = GrantRequest['access'];

const inMailbox = (mailboxId: string) => ({ params: { mailboxId } });

export const mailboxes = {
  me: () => json('get', '/v1/me'),
  grants: (mailboxId: string) =>
    json('get', '/v1/mailboxes/{mailboxId}/grants', inMailbox(mailboxId)).then((l) => l.items),
  give: (mailboxId: string, grant: GrantRequest) =>
    json('post', '/v1/mailboxes/{mailboxId}/grants', { ...inMailbox(mailboxId), body: grant }),
  async takeBack(mailboxId: string, grantId: string): Promise<void> {
    await call(
      `/v1/mailboxes/${encodeURIComponent(mailboxId)}/grants/${encodeURIComponent(grantId)}`,
      { method: 'DELETE' },
    );
  },
};

/** The caller's own mailbox is the first `GET /v1/me` lists; it keeps the `/v1/mailbox/…` routes. */
export const isOwn = (me: Me | null, mailbox: MailboxChoice | null) =>
  !me || !mailbox || me.mailboxes[0]?.id === mailbox.id;

export const canWrite = (mailbox: MailboxChoice | null) =>
  !mailbox || mailbox.access === 'read_write';

/**
 * An end date the citizen picks is the last day access holds; the API takes the first instant it
 * no longer does: the start of the next day, in the citizen's time.
 */
export function endOfDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + 1).toISOString();
}

/** The last day an access holds, for showing beside "until". */
export const lastDay = (until: string) => new Date(new Date(until).getTime() - 1).toISOString();

/** A person's name is known once they have logged in; until then the mailbox says so. */
export const mailboxName = (t: Translate, mailbox: MailboxChoice) =>
  mailbox.name ?? t('unnamedMailbox');
