import { InjectDataSource } from '@nestjs/typeorm';
import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Mailbox } from '#database';
import { EmailConfirmationService } from './email-confirmation.service';

export interface SettingsView {
  notificationEmail: string | null;
  emailConfirmed: boolean;
  language: 'da' | 'nb' | 'en';
  timeZone: string;
  reserved: boolean;
}

/** The citizen's own settings. Changing the address makes it unconfirmed again. */
@Injectable()
export class MailboxSettings {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly confirmation: EmailConfirmationService,
  ) {}

  get(mailbox: Mailbox): SettingsView {
    return {
      notificationEmail: mailbox.notificationEmail,
      emailConfirmed: mailbox.emailConfirmed,
      language: mailbox.language,
      timeZone: mailbox.timeZone,
      reserved: mailbox.reserved,
    };
  }

  async update(mailbox: Mailbox, changes: Partial<SettingsView>): Promise<SettingsView> {
    const patch: Partial<Mailbox> = {};
    if (changes.language !== undefined) patch.language = changes.language;
    if (changes.timeZone !== undefined) patch.timeZone = changes.timeZone;
    if (changes.reserved !== undefined) patch.reserved = changes.reserved;
    if (
      changes.notificationEmail !== undefined &&
      changes.notificationEmail !== mailbox.notificationEmail
    ) {
      // Before anything changes: a new address means a confirmation mail, and those are limited.
      if (changes.notificationEmail)
        await this.confirmation.confirmations.assertMaySend(mailbox.id, changes.notificationEmail);
      patch.notificationEmail = changes.notificationEmail;
      patch.emailConfirmed = false;
    }
    if (Object.keys(patch).length > 0)
      await this.db.manager.update(Mailbox, { id: mailbox.id }, patch);
    // A new address gets the confirmation link, and nothing else until it is confirmed.
    if (patch.notificationEmail) this.confirmation.sendInBackground(mailbox.id);
    return this.get({ ...mailbox, ...patch } as Mailbox);
  }
}
