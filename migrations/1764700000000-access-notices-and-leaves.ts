import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccessNoticesAndLeaves1764700000000 implements MigrationInterface {
  name = 'AccessNoticesAndLeaves1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- What an agency reported about a person's data in its own systems (a notice), beside
      -- Postkasse's own entries: the category, the legal basis, the system and when it happened
      -- there. An entry may be withheld from the citizen until a date, with a reason.
      ALTER TABLE access_log
        ADD COLUMN data_category text,
        ADD COLUMN legal_basis text,
        ADD COLUMN system text,
        ADD COLUMN occurred_at timestamptz,
        ADD COLUMN withheld_until timestamptz,
        ADD COLUMN withhold_reason text,
        -- SHA-256 of the entry's canonical form: what its leaf in the transparency log commits
        -- to. Written with the entry; entries from before this migration have none (and no leaf).
        ADD COLUMN entry_sha256 bytea,
        -- The leaf's index, set by the sequencer (as a receipt's is).
        ADD COLUMN log_index bigint,
        -- When the citizen was told of it by email (immediately or in a digest).
        ADD COLUMN told_at timestamptz,
        ADD CONSTRAINT access_log_withheld_with_reason
          CHECK ((withheld_until IS NULL) = (withhold_reason IS NULL));
      -- The sequencer's queue of entries whose leaf is not in the log yet.
      CREATE INDEX access_log_unlogged ON access_log (at, id)
        WHERE log_index IS NULL AND entry_sha256 IS NOT NULL;
      -- The auditor's list of withheld entries.
      CREATE INDEX access_log_withheld ON access_log (withheld_until, id)
        WHERE withheld_until IS NOT NULL;

      -- The receipt log carries a second kind of leaf: an access-log entry's, which names no
      -- receipt, letter or agency, only the mailbox's recipientRef (in its signed payload and
      -- here, so a citizen's leaves are found) and when the citizen may see it.
      ALTER TABLE receipt_log
        ALTER COLUMN receipt_id DROP NOT NULL,
        ALTER COLUMN letter_id DROP NOT NULL,
        ALTER COLUMN agency_id DROP NOT NULL,
        ADD COLUMN recipient_ref text,
        ADD COLUMN visible_from timestamptz,
        ADD CONSTRAINT receipt_log_leaf_kind CHECK (
          (type = 'access_entry' AND receipt_id IS NULL AND recipient_ref IS NOT NULL)
          OR (type <> 'access_entry' AND receipt_id IS NOT NULL AND letter_id IS NOT NULL
              AND agency_id IS NOT NULL));
      CREATE INDEX receipt_log_recipient ON receipt_log (recipient_ref, log_index)
        WHERE recipient_ref IS NOT NULL;

      -- An operator's permission for an agency to withhold entries, with its legal basis.
      ALTER TABLE agencies
        ADD COLUMN withholding_legal_basis text,
        ADD COLUMN withholding_allowed_at timestamptz;

      -- Whether and how the citizen is told of new access-log entries; only entries visible
      -- from 'since' on are told, so choosing "immediate" does not mail the whole history.
      ALTER TABLE mailboxes
        ADD COLUMN access_notifications text NOT NULL DEFAULT 'none'
          CHECK (access_notifications IN ('none', 'immediate', 'weekly')),
        ADD COLUMN access_notifications_since timestamptz,
        ADD COLUMN access_digest_sent_at timestamptz;
      CREATE INDEX mailboxes_access_notifications ON mailboxes (access_notifications)
        WHERE access_notifications <> 'none';

      -- The answer to a notice request, replayed for the same Idempotency-Key and body. A key
      -- space of its own, as batches have: a letter's key never collides with a notice's.
      CREATE TABLE access_notice_requests (
        agency_id uuid NOT NULL REFERENCES agencies(id),
        key text NOT NULL,
        request_sha256 bytea NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, key)
      );
      CREATE INDEX access_notice_requests_created ON access_notice_requests (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // The log is append-only and its indexes have no gaps: an access leaf cannot be taken out
    // without breaking every later proof, so the schema can only go back while there are none.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM receipt_log WHERE type = 'access_entry') THEN
          RAISE EXCEPTION 'receipt_log holds access-log leaves; an append-only log cannot drop them';
        END IF;
      END $$;
      DROP TABLE access_notice_requests;
      DROP INDEX mailboxes_access_notifications;
      ALTER TABLE mailboxes
        DROP COLUMN access_digest_sent_at,
        DROP COLUMN access_notifications_since,
        DROP COLUMN access_notifications;
      ALTER TABLE agencies DROP COLUMN withholding_allowed_at, DROP COLUMN withholding_legal_basis;
      DROP INDEX receipt_log_recipient;
      ALTER TABLE receipt_log
        DROP CONSTRAINT receipt_log_leaf_kind,
        DROP COLUMN visible_from,
        DROP COLUMN recipient_ref,
        ALTER COLUMN agency_id SET NOT NULL,
        ALTER COLUMN letter_id SET NOT NULL,
        ALTER COLUMN receipt_id SET NOT NULL;
      DROP INDEX access_log_withheld;
      DROP INDEX access_log_unlogged;
      ALTER TABLE access_log
        DROP CONSTRAINT access_log_withheld_with_reason,
        DROP COLUMN told_at,
        DROP COLUMN log_index,
        DROP COLUMN entry_sha256,
        DROP COLUMN withhold_reason,
        DROP COLUMN withheld_until,
        DROP COLUMN occurred_at,
        DROP COLUMN system,
        DROP COLUMN legal_basis,
        DROP COLUMN data_category;
    `);
  }
}
