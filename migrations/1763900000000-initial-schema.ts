import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agencies (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE agency_signing_keys (
        id uuid PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies(id),
        fingerprint text NOT NULL,
        public_key text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        UNIQUE (agency_id, fingerprint)
      );
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies(id),
        key_hash bytea NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE TABLE mailboxes (
        id uuid PRIMARY KEY,
        national_id_hmac bytea NOT NULL UNIQUE,
        recipient_ref text NOT NULL,
        wrapped_data_key bytea,
        master_key_version int NOT NULL,
        reserved boolean NOT NULL DEFAULT false,
        notification_email text,
        email_confirmed boolean NOT NULL DEFAULT false,
        language text NOT NULL DEFAULT 'nb' CHECK (language IN ('da', 'nb', 'en')),
        time_zone text NOT NULL DEFAULT 'Europe/Oslo',
        public_key text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE letters (
        id uuid PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies(id),
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id),
        title text NOT NULL,
        sender_reference text,
        state text NOT NULL CHECK (state IN ('accepted', 'rejected', 'delivered',
          'forwarded_to_print', 'read', 'acknowledged', 'withdrawn')),
        requires_acknowledgement boolean NOT NULL DEFAULT false,
        reminder_after_days int NOT NULL DEFAULT 7,
        publish_at timestamptz,
        due_date date,
        end_to_end boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        verified_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        acknowledged_at timestamptz,
        folder text NOT NULL DEFAULT 'inbox' CHECK (folder IN ('inbox', 'archive', 'trash')),
        folder_before_trash text,
        trashed_at timestamptz
      );
      -- The citizen's inbox: keyset pagination newest first within a folder.
      CREATE INDEX letters_mailbox_folder ON letters (mailbox_id, folder, delivered_at DESC, id DESC)
        WHERE delivered_at IS NOT NULL;
      CREATE INDEX letters_agency ON letters (agency_id, created_at);
      -- The reconciler's view of letters that should have moved on.
      CREATE INDEX letters_waiting ON letters (created_at) WHERE state = 'accepted';

      CREATE TABLE documents (
        id uuid PRIMARY KEY,
        letter_id uuid NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
        position int NOT NULL,
        filename text NOT NULL,
        media_type text NOT NULL,
        received bytea,
        received_sha256 bytea NOT NULL,
        received_signature bytea,
        sealed bytea,
        plaintext_sha256 bytea,
        size int,
        signature bytea,
        signer_fingerprint text,
        UNIQUE (letter_id, position)
      );

      -- Idempotency keys live beside the letters they answered, unique per agency, so the
      -- database (not the code) decides whether a submission was already made.
      CREATE TABLE idempotency_keys (
        agency_id uuid NOT NULL REFERENCES agencies(id),
        key text NOT NULL,
        request_sha256 bytea NOT NULL,
        status int NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, key)
      );
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

      -- A receipt is staged in the transaction that makes its transition; the sequencer gives
      -- it a log index later. Unique per (letter, type, kind): a job that runs twice adds nothing.
      CREATE TABLE receipts (
        id uuid PRIMARY KEY,
        staged_seq bigserial NOT NULL,
        letter_id uuid NOT NULL REFERENCES letters(id),
        agency_id uuid NOT NULL REFERENCES agencies(id),
        type text NOT NULL,
        kind text NOT NULL DEFAULT '',
        at timestamptz NOT NULL,
        payload jsonb NOT NULL,
        log_index bigint UNIQUE,
        UNIQUE (letter_id, type, kind)
      );
      CREATE INDEX receipts_staged ON receipts (staged_seq) WHERE log_index IS NULL;

      CREATE TABLE receipt_log (
        log_index bigint PRIMARY KEY,
        receipt_id uuid NOT NULL UNIQUE REFERENCES receipts(id),
        letter_id uuid NOT NULL,
        agency_id uuid NOT NULL,
        type text NOT NULL,
        at timestamptz NOT NULL,
        leaf_hash bytea NOT NULL,
        jws text NOT NULL,
        appended_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX receipt_log_agency ON receipt_log (agency_id, log_index);
      CREATE INDEX receipt_log_letter ON receipt_log (letter_id, log_index);

      CREATE TABLE tree_heads (
        tree_size bigint PRIMARY KEY,
        root_hash bytea NOT NULL,
        signed_at timestamptz NOT NULL,
        jws text NOT NULL
      );

      -- The log and its heads are append-only for every role, the owner included.
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER receipt_log_append_only BEFORE UPDATE OR DELETE ON receipt_log
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
      CREATE TRIGGER receipt_log_no_truncate BEFORE TRUNCATE ON receipt_log
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
      CREATE TRIGGER tree_heads_append_only BEFORE UPDATE OR DELETE ON tree_heads
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
      CREATE TRIGGER tree_heads_no_truncate BEFORE TRUNCATE ON tree_heads
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

      -- Jobs to hand to the queue, written in the same transaction as the change that needs them.
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        queue text NOT NULL,
        job_id text NOT NULL,
        letter_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        handed_over_at timestamptz
      );
      CREATE INDEX outbox_pending ON outbox (id) WHERE handed_over_at IS NULL;

      CREATE TABLE access_log (
        id uuid PRIMARY KEY,
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id),
        at timestamptz NOT NULL DEFAULT now(),
        actor_kind text NOT NULL,
        actor_id text NOT NULL,
        actor_name text NOT NULL,
        action text NOT NULL,
        purpose text NOT NULL
      );
      CREATE INDEX access_log_mailbox ON access_log (mailbox_id, at DESC, id DESC);

      CREATE TABLE operator_audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        subject text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE operator_audit_log, access_log, outbox, tree_heads, receipt_log, receipts,
        idempotency_keys, documents, letters, mailboxes, api_keys, agency_signing_keys, agencies;
      DROP FUNCTION refuse_change();
    `);
  }
}
