import { InjectDataSource } from '@nestjs/typeorm';
import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { mailboxToWrite, type MailboxScope } from '#access';
import { invalid } from '#errors';
import { CitizenMailbox } from '#letters';
import { MailboxesStore, Sql, type MailboxSettingsRecord } from '#stores';
import { EmailConfirmationService } from './email-confirmation.service';

export type SettingsView = MailboxSettingsRecord;

/**
 * A mailbox's settings, changed by its owner or anyone acting for it with read_write (an
 * organisation's notification address). Changing the address makes it unconfirmed again.
 */
@Injectable()
export class MailboxSettings {
  private readonly store: MailboxesStore;

  constructor(
    @InjectDataSource() db: DataSource,
    private readonly confirmation: EmailConfirmationService,
    private readonly mailbox: CitizenMailbox,
  ) {
    this.store = new MailboxesStore(new Sql(db));
  }

  async get(scope: MailboxScope): Promise<SettingsView> {
    const settings = await this.store.settings(scope);
    // The scope was made from this mailbox's row a moment ago; mailboxes are never deleted.
    if (!settings) throw new Error(`mailbox ${scope.mailboxId} has no row`);
    return settings;
  }

  async update(scope: MailboxScope, changes: Partial<SettingsView>): Promise<SettingsView> {
    // Refused before anything is looked at: a reader may not even start an address change.
    mailboxToWrite(scope);
    const current = await this.get(scope);
    const patch: Partial<SettingsView> = {};
    if (changes.language !== undefined) patch.language = changes.language;
    if (changes.timeZone !== undefined) patch.timeZone = changes.timeZone;
    if (changes.reserved !== undefined) {
      // Print is for people who reserved themselves; an organisation's post is always digital.
      if (changes.reserved && scope.kind === 'organisation')
        throw invalid(
          'settings.reserved_organisation',
          'reserved: an organisation cannot reserve against digital post; its letters are always delivered to its mailbox',
          { field: 'reserved' },
        );
      patch.reserved = changes.reserved;
    }
    if (
      changes.notificationEmail !== undefined &&
      changes.notificationEmail !== current.notificationEmail
    ) {
      // Before anything changes: a new address means a confirmation mail, and those are limited.
      if (changes.notificationEmail)
        await this.confirmation.confirmations.assertMaySend(scope, changes.notificationEmail);
      patch.notificationEmail = changes.notificationEmail;
      patch.emailConfirmed = false;
    }
    if (Object.keys(patch).length === 0) return current;
    const updated = (await this.store.updateSettings(scope, patch)) ?? { ...current, ...patch };
    await this.mailbox.trace(scope, 'mailbox.settings_changed');
    // A new address gets the confirmation link, and nothing else until it is confirmed.
    if (patch.notificationEmail) this.confirmation.sendInBackground(scope);
    return updated;
  }
}
