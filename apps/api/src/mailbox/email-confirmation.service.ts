import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { MailboxScope } from '#access';
import { Postkasse } from '#composition';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError, UnavailableError } from '#errors';
import { EmailConfirmations, createMailSender, type MailSender } from '#notifications';

/**
 * The API's side of address confirmation: it issues links and sends the one email an
 * unconfirmed address may receive. An SMTP outage never fails a settings change; the citizen
 * can ask for the link again.
 */
@Injectable()
export class EmailConfirmationService implements OnApplicationShutdown {
  private readonly logger = new Logger('EmailConfirmation');
  private readonly mailer: MailSender;
  readonly confirmations: EmailConfirmations;

  constructor(root: Postkasse, @Inject(APP_CONFIG) config: AppConfig) {
    this.mailer = createMailSender({
      smtpUrl: config.mail.smtpUrl,
      poolSize: 2,
      dkim: config.notifications.dkim,
    });
    this.confirmations = root.emailConfirmations(this.mailer);
  }

  /** After the address changed: send the link without holding up the answer. */
  sendInBackground(scope: MailboxScope): void {
    this.confirmations.request(scope).catch((error: Error) => {
      this.logger.warn(`confirmation email not sent: ${error.message}`);
    });
  }

  /** The citizen asked again: wait for the SMTP server's answer. */
  async resend(scope: MailboxScope): Promise<'sent' | 'nothing_to_confirm'> {
    try {
      return await this.confirmations.request(scope);
    } catch (error) {
      // A limit reached is the caller's to act on (429), not an outage.
      if (error instanceof DomainError) throw error;
      this.logger.warn(`confirmation email not sent: ${(error as Error).message}`);
      throw new UnavailableError('The mail server is unavailable; try again later', 60);
    }
  }

  onApplicationShutdown(): void {
    this.mailer.close();
  }
}
