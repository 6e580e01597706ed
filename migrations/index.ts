import { InitialSchema1763900000000 } from './1763900000000-initial-schema';
import { Notifications1764000000000 } from './1764000000000-notifications';
import { WebClient1764100000000 } from './1764100000000-web-client';
import { EvidenceAndWebhooks1764200000000 } from './1764200000000-evidence-and-webhooks';
import { TrashPurge1764300000000 } from './1764300000000-trash-purge';
import { PrintSpoolAndKeyIntervals1764500000000 } from './1764500000000-print-spool-and-key-intervals';
import { ConfirmationLimits1764510000000 } from './1764510000000-confirmation-limits';
import { AccessLogLetterAndUnreadMark1764560000000 } from './1764560000000-access-log-letter-and-unread-mark';
import { BulkLetters1764580000000 } from './1764580000000-bulk-letters';
import { OrganisationsAndGrants1764600000000 } from './1764600000000-organisations-and-grants';
import { AccessNoticesAndLeaves1764700000000 } from './1764700000000-access-notices-and-leaves';
import { MailboxErasure1764710000000 } from './1764710000000-mailbox-erasure';
import { Replies1764800000000 } from './1764800000000-replies';
import { OutboxDueAt1764900000000 } from './1764900000000-outbox-due-at';

/** In order; a migration is never edited once it has landed. */
export const MIGRATIONS = [
  InitialSchema1763900000000,
  Notifications1764000000000,
  WebClient1764100000000,
  EvidenceAndWebhooks1764200000000,
  TrashPurge1764300000000,
  PrintSpoolAndKeyIntervals1764500000000,
  ConfirmationLimits1764510000000,
  AccessLogLetterAndUnreadMark1764560000000,
  BulkLetters1764580000000,
  OrganisationsAndGrants1764600000000,
  AccessNoticesAndLeaves1764700000000,
  MailboxErasure1764710000000,
  Replies1764800000000,
  OutboxDueAt1764900000000,
];
