import { accessToken, forget } from './auth';

export type Folder = 'inbox' | 'archive' | 'trash';

export interface MailboxDocument {
  id: string;
  filename: string;
  mediaType: string;
  size: number | null;
}

export interface MailboxLetter {
  id: string;
  sender: { id: string; name: string };
  title: string;
  state: string;
  deliveredAt: string;
  readAt: string | null;
  folder: Folder;
  requiresAcknowledgement: boolean;
  acknowledgedAt: string | null;
  dueDate: string | null;
  endToEnd: boolean;
  documents: MailboxDocument[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Settings {
  notificationEmail: string | null;
  emailConfirmed: boolean;
  language: 'da' | 'nb' | 'en';
  timeZone: string;
  reserved: boolean;
}

export interface AccessLogEntry {
  at: string;
  actor: { kind: string; id: string; name: string };
  action: string;
  purpose: string;
}

export interface MailboxKey {
  publicKey: string | null;
  encryptedPrivateKey: string | null;
  fingerprint: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Raised when there is no valid token: the app shows the login page. */
export class LoggedOut extends Error {}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const token = accessToken();
  if (!token) throw new LoggedOut();
  const response = await fetch(path, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  });
  if (response.status === 401) {
    forget();
    throw new LoggedOut();
  }
  if (!response.ok) {
    let code = 'error';
    let detail = response.statusText;
    try {
      const problem = (await response.json()) as { code?: string; detail?: string };
      code = problem.code ?? code;
      detail = problem.detail ?? detail;
    } catch {
      // not a problem document
    }
    throw new ApiError(response.status, code, detail);
  }
  return response;
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> =
    init.body !== undefined ? { 'content-type': 'application/json' } : {};
  const response = await call(path, { ...init, headers });
  return (await response.json()) as T;
}

export const api = {
  letters(params: { folder: Folder; q?: string; cursor?: string; limit?: number }) {
    const query = new URLSearchParams({ folder: params.folder, limit: String(params.limit ?? 20) });
    if (params.q) query.set('q', params.q);
    if (params.cursor) query.set('cursor', params.cursor);
    return json<Page<MailboxLetter>>(`/v1/mailbox/letters?${query}`);
  },
  summary: () => json<{ unread: number; needsAction: number }>('/v1/mailbox/summary'),
  letter: (id: string) => json<MailboxLetter>(`/v1/mailbox/letters/${encodeURIComponent(id)}`),
  async document(letterId: string, documentId: string): Promise<Blob> {
    const response = await call(
      `/v1/mailbox/letters/${encodeURIComponent(letterId)}/documents/${encodeURIComponent(documentId)}`,
    );
    return response.blob();
  },
  acknowledge: (id: string) =>
    json<unknown>(`/v1/mailbox/letters/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' }),
  move: (id: string, folder: Folder) =>
    json<MailboxLetter>(`/v1/mailbox/letters/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ folder }),
    }),
  trash: (id: string) =>
    json<MailboxLetter>(`/v1/mailbox/letters/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  settings: () => json<Settings>('/v1/mailbox/settings'),
  saveSettings: (changes: Partial<Settings>) =>
    json<Settings>('/v1/mailbox/settings', { method: 'PUT', body: JSON.stringify(changes) }),
  async resendConfirmation(): Promise<void> {
    await call('/v1/mailbox/settings/email-confirmation', { method: 'POST' });
  },
  accessLog: (cursor?: string) =>
    json<Page<AccessLogEntry>>(
      `/v1/mailbox/access-log?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
  key: () => json<MailboxKey>('/v1/mailbox/key'),
  saveKey: (publicKey: string, encryptedPrivateKey: string | null) =>
    json<MailboxKey>('/v1/mailbox/key', {
      method: 'PUT',
      body: JSON.stringify(
        encryptedPrivateKey ? { publicKey, encryptedPrivateKey } : { publicKey },
      ),
    }),
  async removeKey(): Promise<void> {
    await call('/v1/mailbox/key', { method: 'DELETE' });
  },
  senderKeys: (letterId: string) =>
    json<{ keys: { fingerprint: string; publicKey: string }[] }>(
      `/v1/mailbox/letters/${encodeURIComponent(letterId)}/sender-keys`,
    ),
};
