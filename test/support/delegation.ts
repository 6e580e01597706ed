import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { documentAad, seal, unseal } from '#crypto';
import { MailboxDirectory } from '#letters';
import { platformPublicKey, sealFor, type TestAgency } from './agency';
import { testConfig } from './fixtures';
import type { ApiClient } from './http';
import type { Stack } from './stack';

/** Letters sent through the API and moved about in the database, for the access tests. */
export class DelegationFixture {
  private platformKey = '';
  private directory: MailboxDirectory | null = null;

  constructor(
    private readonly stack: Stack,
    private readonly db: Client,
    private readonly agency: TestAgency,
    private readonly api: ApiClient,
  ) {}

  async token(nationalId: string, name: string, adminOf?: string): Promise<string> {
    return this.stack.cli([
      'dev',
      'token',
      '--citizen',
      nationalId,
      '--name',
      name,
      ...(adminOf ? ['--admin-of', adminOf] : []),
    ]);
  }

  /** A letter to the person that needs acknowledging, waited for until it is delivered. */
  async deliveredLetter(nationalId: string, title: string): Promise<{ id: string; doc: string }> {
    this.platformKey ||= await platformPublicKey(this.stack);
    const sent = await this.api.as(this.agency.apiKey).post(
      '/v1/letters',
      {
        recipient: { nationalId },
        title,
        requiresAcknowledgement: true,
        documents: [
          {
            filename: 'brev.txt',
            mediaType: 'text/plain',
            content: await sealFor(this.agency, this.platformKey, `${title}: innhold`),
          },
        ],
      },
      { 'idempotency-key': randomUUID() },
    );
    if (sent.status !== 202) throw new Error(`send: ${sent.status} ${JSON.stringify(sent.body)}`);
    const id = sent.body.id as string;
    await this.api.waitFor(
      async () => {
        const { rows } = await this.db.query<{ state: string }>(
          'SELECT state FROM letters WHERE id = $1',
          [id],
        );
        return rows[0]?.state === 'delivered' ? true : undefined;
      },
      `letter ${title} delivered`,
      30_000,
    );
    const { rows } = await this.db.query<{ id: string }>(
      'SELECT id FROM documents WHERE letter_id = $1',
      [id],
    );
    return { id, doc: rows[0].id };
  }

  /**
   * Moves a delivered letter to another mailbox (an organisation's, until letters can be sent to
   * one), its documents sealed again under that mailbox's key, optionally confidential.
   */
  async moveLetter(letterId: string, mailboxId: string, confidential: boolean): Promise<void> {
    if (!this.directory) {
      const config = await testConfig(this.stack.env.DATABASE_URL!, this.stack.env);
      this.directory = new MailboxDirectory(config.nationalIds, config.masterKeys);
    }
    const keyOf = async (id: string) => {
      const { rows } = await this.db.query<{
        id: string;
        wrapped_data_key: Buffer;
        master_key_version: number;
      }>('SELECT id, wrapped_data_key, master_key_version FROM mailboxes WHERE id = $1', [id]);
      const m = rows[0];
      const mailbox = {
        id: m.id,
        wrappedDataKey: m.wrapped_data_key,
        masterKeyVersion: m.master_key_version,
      };
      return { key: this.directory!.dataKeyOf(mailbox), version: m.master_key_version };
    };
    const { rows: letter } = await this.db.query<{ mailbox_id: string }>(
      'SELECT mailbox_id FROM letters WHERE id = $1',
      [letterId],
    );
    const from = await keyOf(letter[0].mailbox_id);
    const to = await keyOf(mailboxId);
    const { rows: docs } = await this.db.query<{ id: string; sealed: Buffer }>(
      'SELECT id, sealed FROM documents WHERE letter_id = $1',
      [letterId],
    );
    for (const doc of docs) {
      const plain = unseal(from.key, doc.sealed, documentAad(letterId, doc.id, from.version));
      const again = seal(to.key, plain, documentAad(letterId, doc.id, to.version));
      await this.db.query('UPDATE documents SET sealed = $2 WHERE id = $1', [doc.id, again]);
    }
    await this.db.query('UPDATE letters SET mailbox_id = $2, confidential = $3 WHERE id = $1', [
      letterId,
      mailboxId,
      confidential,
    ]);
  }
}
