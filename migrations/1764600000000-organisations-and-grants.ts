import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrganisationsAndGrants1764600000000 implements MigrationInterface {
  name = 'OrganisationsAndGrants1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- A mailbox belongs to a person (found by the HMAC of their national id) or to an
      -- organisation (found by its organisation number, which is not personal data and is kept
      -- as it is). Exactly one of the two names it.
      ALTER TABLE mailboxes
        ADD COLUMN kind text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'organisation')),
        ADD COLUMN organisation_number text UNIQUE,
        -- The organisation's registered name, or the person's name as their identity provider
        -- last gave it at login: a grantee is shown by name only once they have logged in.
        ADD COLUMN display_name text,
        -- Recorded when a guardian is added (from the national id's date of birth): a
        -- guardian acts until the 18th birthday, and without the date no guardian acts.
        ADD COLUMN minor_birth_date date,
        ALTER COLUMN national_id_hmac DROP NOT NULL,
        ADD CONSTRAINT mailboxes_one_owner CHECK (
          (kind = 'person' AND national_id_hmac IS NOT NULL AND organisation_number IS NULL) OR
          (kind = 'organisation' AND organisation_number IS NOT NULL AND national_id_hmac IS NULL)
        );

      -- An organisation's letter may be kept to those with confidential access.
      ALTER TABLE letters ADD COLUMN confidential boolean NOT NULL DEFAULT false;

      -- Who may act for a mailbox besides its owner (DESIGN "Who may act"). Grants are never
      -- deleted: a revocation is a time, so the access log can always say on what footing
      -- someone acted. The grantee is named by the HMAC of their national id.
      CREATE TABLE grants (
        id uuid PRIMARY KEY,
        mailbox_id uuid NOT NULL REFERENCES mailboxes(id),
        grantee_hmac bytea NOT NULL,
        role text NOT NULL
          CHECK (role IN ('grantee', 'guardian', 'executor', 'administrator', 'employee')),
        access text NOT NULL CHECK (access IN ('read', 'read_write')),
        confidential boolean NOT NULL DEFAULT false,
        until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Who granted: 'person' (an owner or administrator, by HMAC ref) or 'operator' (by name).
        granted_by_kind text NOT NULL CHECK (granted_by_kind IN ('person', 'operator')),
        granted_by text NOT NULL,
        revoked_at timestamptz,
        revoked_by text
      );
      -- One standing grant per person, mailbox and role: granting again replaces it.
      CREATE UNIQUE INDEX grants_standing
        ON grants (mailbox_id, grantee_hmac, role) WHERE revoked_at IS NULL;
      -- "Which mailboxes may I act for" is asked on every request.
      CREATE INDEX grants_grantee ON grants (grantee_hmac) WHERE revoked_at IS NULL;

      -- In which role someone other than the owner acted ('grantee', 'guardian', ...); null for
      -- those outside the mailbox (an agency's lookup, an auditor).
      ALTER TABLE access_log ADD COLUMN actor_role text;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE access_log DROP COLUMN actor_role;
      DROP TABLE grants;
      ALTER TABLE letters DROP COLUMN confidential;
      DELETE FROM mailboxes WHERE kind = 'organisation';
      ALTER TABLE mailboxes
        DROP CONSTRAINT mailboxes_one_owner,
        ALTER COLUMN national_id_hmac SET NOT NULL,
        DROP COLUMN minor_birth_date,
        DROP COLUMN display_name,
        DROP COLUMN organisation_number,
        DROP COLUMN kind;
    `);
  }
}
