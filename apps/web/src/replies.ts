import { call, scoped, type MailboxLetter } from './api';
import type { MailboxRole } from './mailboxes';

// Two-way post (DESIGN, second round), in the shapes of apps/api/src/replies.schemas.ts. Written
// out here until this branch's api-types.ts is generated from an API that has these routes; then
// they become Schemas['DirectoryAgency'], Schemas['MailboxReply'] and so on.
export interface DirectoryAgency {
  id: string;
  name: string;
  encryptionKey: { fingerprint: string; publicKey: string } | null;
  acceptsMessages: boolean;
  topics: string[];
}

export interface ReplyDocument {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
}

/** The citizen's reply_received receipt: signed (jws) and proven once the sequencer has run. */
export interface ReplyReceipt {
  type: string;
  at: string;
  jws: string | null;
  inclusionProof: unknown;
  treeHead: unknown;
  [field: string]: unknown;
}

export interface MailboxReply {
  id: string;
  letterId: string | null;
  topic: string | null;
  agency: { id: string; name: string };
  at: string;
  writtenAs: MailboxRole;
  documents: ReplyDocument[];
  receipt: ReplyReceipt;
}

export interface SentReply {
  id: string;
  receipt: unknown;
}

export interface SealedDocument {
  filename: string;
  mediaType: string;
  content: string;
}

/** What the letter view will carry once generated: whether, and until when, replies are taken. */
export type LetterWithReplies = MailboxLetter & {
  replies?: { allowed: boolean; until: string | null };
  inReplyTo?: string | null;
};

async function request<T>(path: string, body?: unknown): Promise<T> {
  const response = await call(
    scoped(path),
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  return (await response.json()) as T;
}

let directory: Promise<DirectoryAgency[]> | null = null;
const letterReplies = (letterId: string) =>
  `/v1/mailbox/letters/${encodeURIComponent(letterId)}/replies`;

export const replies = {
  /** The public agency directory, asked once a session: keys and topics change rarely. */
  agencies(): Promise<DirectoryAgency[]> {
    directory ??= request<{ items: DirectoryAgency[] }>('/v1/agencies').then((a) => a.items);
    directory.catch(() => (directory = null));
    return directory;
  },
  reply: (letterId: string, documents: SealedDocument[]) =>
    request<SentReply>(letterReplies(letterId), { documents }),
  message: (agencyId: string, topic: string, documents: SealedDocument[]) =>
    request<SentReply>('/v1/mailbox/messages', { agencyId, topic, documents }),
  ofLetter: (letterId: string) =>
    request<{ items: MailboxReply[] }>(letterReplies(letterId)).then((p) => p.items),
  one: (replyId: string) =>
    request<MailboxReply>(`/v1/mailbox/replies/${encodeURIComponent(replyId)}`),
  sent(cursor?: string) {
    const query = new URLSearchParams({ limit: '50' });
    if (cursor) query.set('cursor', cursor);
    return request<{ items: MailboxReply[]; nextCursor: string | null }>(
      `/v1/mailbox/sent?${query}`,
    );
  },
};

/** Whether the letter takes a reply now (allowed, and its deadline not passed). */
export function replyOpen(letter: LetterWithReplies, now = new Date()): boolean {
  if (!letter.replies?.allowed) return false;
  return !letter.replies.until || new Date(letter.replies.until) > now;
}
