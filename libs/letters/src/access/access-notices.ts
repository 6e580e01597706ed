import type { DataSource } from 'typeorm';
import { noticeAccessAction } from '#access';
import { DomainError, idempotencyKeyBusy, invalid } from '#errors';
import { AccessLogStore, AccessNoticesStore, Sql, type AccessEntry } from '#stores';
import type { MailboxDirectory } from '../mailbox/mailbox-directory';
import type { AccessNotice } from './notice-schema';
import type { WithholdingRules } from './withholding';

/** How far an agency's clock may run ahead of ours before a notice's `at` is "in the future". */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface SubmitNoticesCommand {
  agency: { id: string; name: string };
  idempotencyKey: string;
  /** SHA-256 of the raw request body: the same key with another body is refused. */
  requestSha256: Buffer;
  notices: AccessNotice[];
}

export interface NoticesResult {
  status: 202;
  body: { accepted: number };
  replayed: boolean;
}

/**
 * An agency reports what happened to people's data in its own systems (DESIGN "Access
 * notices"). Every notice is checked before anything is written, so a bad one is a 400 naming
 * it and nothing of the request is stored; then all of them go into the access log in one
 * transaction, each person's mailbox found or made by the HMAC of their number (as a letter's
 * is), so that someone without a mailbox sees them once they log in.
 */
export class AccessNotices {
  private readonly accessLog = new AccessLogStore();
  private readonly requests = new AccessNoticesStore();

  constructor(
    private readonly db: DataSource,
    private readonly mailboxes: MailboxDirectory,
    private readonly withholding: WithholdingRules,
  ) {}

  async execute(cmd: SubmitNoticesCommand): Promise<NoticesResult> {
    return this.db.transaction(async (m) => {
      const tx = new Sql(m);
      if (!(await this.requests.lockKey(tx, cmd.agency.id, cmd.idempotencyKey)))
        throw idempotencyKeyBusy();
      const previous = await this.requests.answerTo(tx, cmd.agency.id, cmd.idempotencyKey);
      if (previous) {
        if (!previous.requestSha256.equals(cmd.requestSha256))
          throw new DomainError(
            422,
            'idempotency.key_reused',
            'This Idempotency-Key was used before with a different request body',
          );
        return { status: 202, body: { accepted: previous.accepted }, replayed: true };
      }
      const now = this.withholding.now();
      const checked = cmd.notices.map((n, i) => this.check(n, `notices[${i}]`, now));
      if (checked.some((c) => c.withheld)) await this.withholding.assertAllowed(tx, cmd.agency.id);

      const entries: AccessEntry[] = [];
      for (const { notice, withheld } of checked) {
        const mailbox = await this.mailboxes.findOrCreate(m, notice.nationalId);
        entries.push({
          mailboxId: mailbox.id,
          actor: { kind: 'agency', id: cmd.agency.id, name: cmd.agency.name },
          action: noticeAccessAction(notice.action),
          purpose: notice.purpose,
          notice: {
            dataCategory: notice.dataCategory,
            legalBasis: notice.legalBasis,
            occurredAt: new Date(notice.at),
            ...(notice.system === undefined ? {} : { system: notice.system }),
          },
          ...(withheld ? { withheld } : {}),
          at: now,
        });
      }
      await this.accessLog.recordMany(tx, entries);
      const accepted = entries.length;
      await this.requests.record(tx, cmd.agency.id, cmd.idempotencyKey, {
        requestSha256: cmd.requestSha256,
        accepted,
      });
      return { status: 202, body: { accepted }, replayed: false };
    });
  }

  /** The checks the schema cannot make; each 400 names the item. */
  private check(notice: AccessNotice, field: string, now: Date) {
    this.mailboxes.assertValid(notice.nationalId, `${field}.nationalId`);
    if (new Date(notice.at).getTime() > now.getTime() + CLOCK_SKEW_MS)
      throw invalid('access.notice_in_future', `${field}.at is in the future`);
    return { notice, withheld: this.withholding.check(notice, field, now) };
  }
}
