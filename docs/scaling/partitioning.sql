-- Partitioning of the tables that grow with letters (docs/scaling.md). NOT applied by
-- migrations/ yet: run in a maintenance window after testing on a copy of production size.
-- UUIDv7 ids are time-ordered: the first 48 bits are Unix milliseconds, so a month is a
-- contiguous range of ids. uuid_v7_floor() gives the smallest id of a moment.

CREATE FUNCTION uuid_v7_floor(t timestamptz) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7000' || '8000' || '000000000000')::uuid
$$;

BEGIN;
-- letters: partitioned by id range (= by month of creation).
ALTER TABLE letters RENAME TO letters_unpartitioned;
CREATE TABLE letters (LIKE letters_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (id);
ALTER TABLE letters ADD PRIMARY KEY (id);
CREATE TABLE letters_2026_11 PARTITION OF letters
  FOR VALUES FROM (uuid_v7_floor('2026-11-01')) TO (uuid_v7_floor('2026-12-01'));
CREATE TABLE letters_2026_12 PARTITION OF letters
  FOR VALUES FROM (uuid_v7_floor('2026-12-01')) TO (uuid_v7_floor('2027-01-01'));
CREATE TABLE letters_before PARTITION OF letters
  FOR VALUES FROM (MINVALUE) TO (uuid_v7_floor('2026-11-01'));
INSERT INTO letters SELECT * FROM letters_unpartitioned;
CREATE INDEX ON letters (mailbox_id, folder, delivered_at DESC, id DESC) WHERE delivered_at IS NOT NULL;
CREATE INDEX ON letters (agency_id, created_at);
CREATE INDEX ON letters (created_at) WHERE state = 'accepted';

-- receipt_log: partitioned by log index; old partitions are never written again.
ALTER TABLE receipt_log RENAME TO receipt_log_unpartitioned;
CREATE TABLE receipt_log (LIKE receipt_log_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (log_index);
ALTER TABLE receipt_log ADD PRIMARY KEY (log_index);
CREATE TABLE receipt_log_0 PARTITION OF receipt_log FOR VALUES FROM (0) TO (100000000);
CREATE TABLE receipt_log_1 PARTITION OF receipt_log FOR VALUES FROM (100000000) TO (200000000);
INSERT INTO receipt_log SELECT * FROM receipt_log_unpartitioned;
CREATE INDEX ON receipt_log (agency_id, log_index);
CREATE INDEX ON receipt_log (letter_id, log_index);
CREATE TRIGGER receipt_log_append_only BEFORE UPDATE OR DELETE ON receipt_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
-- Foreign keys that pointed at the old tables (documents, receipts, webhook_deliveries) are
-- re-created against the partitioned parents; receipt_id uniqueness moves to receipts.
COMMIT;
