import { call, scoped } from './api';
import type { SealedDocument } from './pages/Composer';

// The shapes of two-way post (DESIGN, second round), written out until the API's OpenAPI
// document declares these routes.
export interface AgencyEntry {
  id: string;
  name: string;
  encryptionKey: string | null;
  acceptsMessages: boolean;
  topics: string[];
}

export interface ReplyPermission {
  allowed: boolean;
  until?: string | null;
}

export interface SentReply {
  id: string;
  receipt: unknown;
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

let directory: Promise<AgencyEntry[]> | null = null;

export const replies = {
  /** The public agency directory, asked once a session: keys and topics change rarely. */
  agencies(): Promise<AgencyEntry[]> {
    directory ??= call('/v1/agencies')
      .then((r) => r.json() as Promise<AgencyEntry[] | { items: AgencyEntry[] }>)
      .then((a) => (Array.isArray(a) ? a : a.items));
    directory.catch(() => (directory = null));
    return directory;
  },
  reply: (letterId: string, documents: SealedDocument[]) =>
    post<SentReply>(scoped(`/v1/mailbox/letters/${encodeURIComponent(letterId)}/replies`), {
      documents,
    }),
};

/** Whether the letter takes a reply now (allowed, and its deadline not passed). */
export function replyOpen(permission: ReplyPermission | undefined, now = new Date()): boolean {
  if (!permission?.allowed) return false;
  return !permission.until || new Date(permission.until) > now;
}
