import { randomUUID } from 'node:crypto';
import type { components, operations } from './api-types';
import { PostkasseError } from './errors';
import { Transport, type ClientOptions } from './http';
import {
  encryptAndSignForPlatform,
  encryptAndSignForRecipient,
  type PlainDocument,
  type SigningKey,
} from './seal';

type Schemas = components['schemas'];
export type PlatformKeys = Schemas['PlatformKeys'];
export type LookupResult = Schemas['LookupResult'];
export type SubmittedLetter = Schemas['SubmittedLetter'];
export type SenderLetter = Schemas['SenderLetter'];
export type LetterReceipt = Schemas['LetterReceipt'];
export type EventsPage = Schemas['EventsPage'];
export type LetterEvent = EventsPage['items'][number];
/** The body of `POST /v1/letters`, as the OpenAPI document describes it. */
export type LetterRequest =
  operations['LettersController_create']['requestBody']['content']['application/json'];
export type SealedDocument = LetterRequest['documents'][number];
/** A person by `nationalId` or an organisation by `organisationNumber`. */
export type Recipient = Schemas['Recipient'];
/** Whom to look up: people, organisations, or both. */
export interface LookupQuery {
  nationalIds?: string[];
  organisationNumbers?: string[];
}

/** The body of `POST /v1/letter-batches`; each letter a `BatchLetter`. */
export type LetterBatchRequest =
  operations['LetterBatchesController_create']['requestBody']['content']['application/json'];
/** A single letter's fields and the letter's own `idempotencyKey`. */
export type BatchLetter = Schemas['BatchLetter'];
/** One letter's answer: `202` with `id`, `state`, `receipt`, or its 4xx `problem`. */
export type BatchItem = Schemas['LetterBatchItem'];
/** DESIGN "Batches": one item per letter, in the order sent. */
export type BatchResult =
  operations['LetterBatchesController_create']['responses']['200']['content']['application/json'];

export const MAX_BATCH_LETTERS = 500;

/** An agency's client of the Postkasse API. */
export class PostkasseClient {
  private readonly http: Transport;

  constructor(options: ClientOptions) {
    this.http = new Transport(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** The platform's OpenPGP key (to encrypt to) and its receipt keys (a JWKS, to verify with). */
  platformKeys(): Promise<PlatformKeys> {
    return this.http.json('GET', '/v1/platform/keys');
  }

  /**
   * Whether each recipient can get digital post, and their end-to-end key; logged for them.
   * National ids alone (as before), or people and organisations: people come first in the answer.
   */
  lookupRecipients(recipients: string[] | LookupQuery, purpose: string): Promise<LookupResult> {
    const query = Array.isArray(recipients) ? { nationalIds: recipients } : recipients;
    return this.http.json('POST', '/v1/recipients/lookup', {
      body: { ...query, purpose },
      repeatable: true,
    });
  }

  /**
   * Signs each document with the agency's key and encrypts it to the platform's key. Pass the
   * platform's keys when sealing many letters, so that they are fetched once and not per letter.
   */
  async sealForPlatform(
    documents: PlainDocument[],
    key: SigningKey,
    platform?: PlatformKeys,
  ): Promise<SealedDocument[]> {
    const { openpgp } = platform ?? (await this.platformKeys());
    const keys = { platformPublicKey: openpgp.publicKey, signingPrivateKey: key.privateKey };
    return Promise.all(
      documents.map(async ({ filename, mediaType, content }) => ({
        filename,
        mediaType,
        content: await encryptAndSignForPlatform(content, { ...keys, passphrase: key.passphrase }),
      })),
    );
  }

  /**
   * An end-to-end letter (DESIGN "End-to-end letters"): encrypted to the key the recipient
   * (a national id, or either kind of recipient) registered, found by a recipient lookup stating `purpose`, with a detached signature.
   */
  async sealForRecipient(
    recipient: string | Recipient,
    purpose: string,
    documents: PlainDocument[],
    key: SigningKey,
  ): Promise<SealedDocument[]> {
    const to = typeof recipient === 'string' ? { nationalId: recipient } : recipient;
    const lookup = await this.lookupRecipients(
      'organisationNumber' in to
        ? { organisationNumbers: [to.organisationNumber] }
        : { nationalIds: [to.nationalId] },
      purpose,
    );
    const recipientPublicKey = lookup.items[0]?.publicKey;
    if (!recipientPublicKey) {
      const name = 'organisationNumber' in to ? to.organisationNumber : to.nationalId;
      throw new PostkasseError(`${name} has registered no key for end-to-end letters`);
    }
    return Promise.all(
      documents.map(async ({ filename, mediaType, content }) => ({
        filename,
        mediaType,
        ...(await encryptAndSignForRecipient(content, {
          recipientPublicKey,
          signingPrivateKey: key.privateKey,
          passphrase: key.passphrase,
        })),
      })),
    );
  }

  /**
   * Submits a letter. Keep `idempotencyKey` with your own record of the letter before calling:
   * sending again with it (after a crash, a timeout) returns the first answer instead of a
   * second letter. Retries inside this call reuse it too.
   */
  sendLetter(
    letter: LetterRequest,
    options: { idempotencyKey?: string } = {},
  ): Promise<SubmittedLetter> {
    return this.submit('/v1/letters', letter, options.idempotencyKey);
  }

  /**
   * Up to 500 letters in one request; each has its own key and its own answer in `items`, and
   * the batch's key replays the whole answer, so a retried batch stores nothing twice.
   */
  async sendBatch(
    letters: BatchLetter[],
    options: { idempotencyKey?: string } = {},
  ): Promise<BatchResult> {
    if (letters.length === 0 || letters.length > MAX_BATCH_LETTERS)
      throw new PostkasseError(`a batch holds 1 to ${MAX_BATCH_LETTERS} letters`);
    const keys = new Set(letters.map((l) => l.idempotencyKey));
    if (keys.size !== letters.length)
      throw new PostkasseError('each letter in a batch needs an idempotencyKey of its own');
    const body: LetterBatchRequest = { letters };
    return this.submit('/v1/letter-batches', body, options.idempotencyKey);
  }

  /**
   * A POST that stores something: the key is chosen once, before the first attempt, so that
   * every retry (429, 503, a lost answer) carries it and the API replays instead of storing again.
   */
  private submit<T>(path: string, body: unknown, idempotencyKey?: string): Promise<T> {
    return this.http.json('POST', path, { body, idempotencyKey: idempotencyKey ?? randomUUID() });
  }

  getLetter(id: string): Promise<SenderLetter> {
    return this.http.json('GET', `/v1/letters/${encodeURIComponent(id)}`);
  }

  /** The letter's receipts, with `jws` once sequenced and `inclusionProof` once a head covers it. */
  async receipts(id: string): Promise<LetterReceipt[]> {
    const page = await this.http.json<Schemas['LetterReceipts']>(
      'GET',
      `/v1/letters/${encodeURIComponent(id)}/receipts`,
    );
    return page.items;
  }

  /** Withdraws a letter not yet delivered (409 after delivery). */
  withdraw(id: string): Promise<SenderLetter> {
    return this.http.json('DELETE', `/v1/letters/${encodeURIComponent(id)}`);
  }

  /** One page of the agency's events in log order; `nextCursor` is where to resume. */
  events(after?: string, limit?: number): Promise<EventsPage> {
    const query = new URLSearchParams();
    if (after !== undefined) query.set('after', after);
    if (limit !== undefined) query.set('limit', String(limit));
    const search = query.size ? `?${query}` : '';
    return this.http.json('GET', `/v1/events${search}`);
  }
}
