import { call } from './api';

// The shapes of "who may act" (DESIGN, second round). Written out here until the API's OpenAPI
// document declares these routes; then they come from api-types.ts like every other answer.
export type MailboxRole =
  'owner' | 'grantee' | 'guardian' | 'executor' | 'administrator' | 'employee';
export type Access = 'read' | 'read_write';

export interface MailboxChoice {
  id: string;
  kind: 'person' | 'organisation';
  name: string;
  role: MailboxRole;
  access: Access;
  confidential: boolean;
  until: string | null;
}

export interface Me {
  principal: { name: string };
  mailboxes: MailboxChoice[];
}

export interface Grant {
  id: string;
  grantee: { name?: string | null };
  access: Access;
  until?: string | null;
  confidential?: boolean;
  role?: string | null;
}

export interface GrantRequest {
  grantee: { nationalId: string };
  access: Access;
  until?: string;
  confidential?: boolean;
  role?: 'administrator';
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await call(path, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  return (response.status === 204 ? null : await response.json()) as T;
}

const grantsOf = (mailboxId: string) => `/v1/mailboxes/${encodeURIComponent(mailboxId)}/grants`;

export const mailboxes = {
  me: () => send<Me>('GET', '/v1/me'),
  async grants(mailboxId: string): Promise<Grant[]> {
    const answer = await send<Grant[] | { items: Grant[] }>('GET', grantsOf(mailboxId));
    return Array.isArray(answer) ? answer : answer.items;
  },
  give: (mailboxId: string, grant: GrantRequest) => send<Grant>('POST', grantsOf(mailboxId), grant),
  async takeBack(mailboxId: string, grantId: string): Promise<void> {
    await send<null>('DELETE', `${grantsOf(mailboxId)}/${encodeURIComponent(grantId)}`);
  },
};

/** The caller's own mailbox is the first `GET /v1/me` lists; it keeps the `/v1/mailbox/…` routes. */
export const isOwn = (me: Me | null, mailbox: MailboxChoice | null) =>
  !me || !mailbox || me.mailboxes[0]?.id === mailbox.id;

export const canWrite = (mailbox: MailboxChoice | null) =>
  !mailbox || mailbox.access === 'read_write';
