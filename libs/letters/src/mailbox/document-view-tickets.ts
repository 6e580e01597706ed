import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ACTING_ROLES, MAILBOX_KINDS, heldScope, holdScope, type MailboxScope } from '#access';
import { DomainError, conflict, notFound } from '#errors';
import type { CitizenMailbox } from './citizen-mailbox';

/** The two Redis commands the tickets need; ioredis's client fits. */
export interface TicketRedis {
  status: string;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface ViewTicketSettings {
  /** Redis key prefix (the queue prefix, so tests and deployments sharing a Redis stay apart). */
  prefix: string;
  ttlSeconds: number;
}

/**
 * How often one ticket opens its document. More than one because Chrome's PDF viewer fetches the
 * URL again for its own download button; few, so a ticket that leaks (a screenshot of the
 * devtools, a proxy log) is worth little even inside its minute.
 */
export const VIEW_TICKET_USES = 3;

/** 32 random bytes, base64url: what the path segment must look like before Redis is asked. */
const TICKET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const grantSchema = z.strictObject({
  mailboxId: z.string().min(1),
  kind: z.enum(MAILBOX_KINDS),
  role: z.enum(ACTING_ROLES),
  confidential: z.boolean(),
  until: z.number().int().nullable(),
  actor: z.strictObject({ ref: z.string(), name: z.string() }).optional(),
  letterId: z.string().min(1),
  documentId: z.string().min(1),
  filename: z.string(),
  expiresAt: z.number().int(),
});

// One script each, so creating a ticket with its expiry and counting a use are atomic.
const ISSUE = `redis.call('HSET', KEYS[1], 'grant', ARGV[1], 'uses', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const REDEEM = `local grant = redis.call('HGET', KEYS[1], 'grant')
if not grant then return false end
if redis.call('HINCRBY', KEYS[1], 'uses', 1) > tonumber(ARGV[1]) then return false end
return grant`;

const unavailable = () =>
  new DomainError(
    503,
    'document_view.unavailable',
    'Opening documents in the browser viewer is unavailable right now; fetch the document instead',
  );

/**
 * Short-lived, few-use tickets that let the browser's own PDF viewer fetch one document without
 * the bearer token (which lives only in the web client's memory), so the viewer is given a URL
 * that ends in the document's filename instead of a blob: URL's random id. Redis holds only the
 * ticket's SHA-256 with what it opens, and forgets it by itself when it expires: a lost ticket
 * (Redis restarted) costs the citizen nothing but asking for a new one.
 */
export class DocumentViewTickets {
  constructor(
    private readonly redis: TicketRedis,
    private readonly mailbox: CitizenMailbox,
    private readonly settings: ViewTicketSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** A path that opens the document: `/v1/document-views/{ticket}/{filename}`. */
  async issue(scope: MailboxScope, letterId: string, documentId: string): Promise<string> {
    // The letter's view reads nothing and marks nothing read: the ticket's first use does.
    const letter = await this.mailbox.find(scope, letterId);
    const doc = letter.documents.find((d) => d.id === documentId);
    if (!doc) throw notFound('document');
    // An end-to-end letter's bytes are ciphertext only the browser can open; anything but a PDF
    // is shown from its bytes in the page, and must not get a URL on the app's origin.
    if (letter.endToEnd || doc.mediaType !== 'application/pdf')
      throw conflict(
        'document_view.not_pdf',
        'Only PDF documents of letters that are not end-to-end encrypted open in the viewer; fetch this one from …/documents/{documentId}',
      );
    if (this.redis.status !== 'ready') throw unavailable();
    const ticket = randomBytes(32).toString('base64url');
    const ttlMs = this.settings.ttlSeconds * 1000;
    const grant = {
      ...holdScope(scope),
      letterId,
      documentId,
      filename: doc.filename,
      expiresAt: this.now() + ttlMs,
    } satisfies z.infer<typeof grantSchema>;
    await this.redis.eval(ISSUE, 1, this.key(ticket), JSON.stringify(grant), ttlMs);
    return `/v1/document-views/${ticket}/${encodeURIComponent(doc.filename)}`;
  }

  /**
   * The document the ticket opens, read exactly as the citizen's own fetch reads it; the path's
   * filename must be the one it was issued with, so one URL never stands for another document.
   */
  async redeem(
    ticket: string,
    filename: string,
  ): Promise<{ filename: string; mediaType: string; content: Buffer }> {
    if (!TICKET_SHAPE.test(ticket)) throw notFound('document');
    if (this.redis.status !== 'ready') throw unavailable();
    const stored = await this.redis.eval(REDEEM, 1, this.key(ticket), VIEW_TICKET_USES);
    if (typeof stored !== 'string') throw notFound('document');
    const grant = grantSchema.parse(JSON.parse(stored));
    // Redis expires the key too; this holds should its clock or a restore disagree.
    if (this.now() >= grant.expiresAt || grant.filename !== filename) throw notFound('document');
    return this.mailbox.readDocument(heldScope(grant), grant.letterId, grant.documentId);
  }

  private key(ticket: string): string {
    const hash = createHash('sha256').update(ticket).digest('base64url');
    return `${this.settings.prefix}:document-view:${hash}`;
  }
}
