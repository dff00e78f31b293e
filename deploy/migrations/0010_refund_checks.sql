-- When the reconciler looks at each refund next, in a narrow table of its own,
-- so that a check writes as little as it can (docs/performance.md,
-- "Reconciliation").
--
-- The due time is indexed (the reconciler claims the refunds due, oldest
-- first), and every check changes it. While it was a column of refunds, every
-- check rewrote the whole refund row with a new entry in each of its four
-- indexes. Now a check updates the refund_checks row (its two indexes) and
-- rewrites the refund row only when what it observed changed; that update
-- changes no indexed column, so with the room the fillfactor leaves on each
-- page it is a HOT update: no index entries at all. A check that found
-- nothing new (the steady state) writes only its refund_checks row.
--
-- Every refund has exactly one row here, written by RecordRefundIssued in the
-- statement that records the refund. The reconciler claims refunds by locking
-- these rows (FOR UPDATE SKIP LOCKED) and nothing else, so a writer of a
-- refund row that a check may also write (ConfirmRefundReceived) takes the
-- refund's refund_checks row first, as the reconciler does, and the two never
-- deadlock.
CREATE TABLE refund_checks (
  refund_id     uuid PRIMARY KEY REFERENCES refunds (id) ON DELETE CASCADE,
  -- When the reconciler looks next; NULL: never again (the money arrived).
  next_check_at timestamptz,
  checks        integer NOT NULL DEFAULT 0,  -- how many checks were committed
  checked_at    timestamptz                  -- the last one's time
);
CREATE INDEX refund_checks_due ON refund_checks (next_check_at) WHERE next_check_at IS NOT NULL;

INSERT INTO refund_checks (refund_id, next_check_at, checks, checked_at)
  SELECT id, next_check_at, checks, observed_at FROM refunds;

DROP INDEX refunds_due;
ALTER TABLE refunds DROP COLUMN next_check_at, DROP COLUMN checks;
COMMENT ON COLUMN refunds.observed_at IS
  'when the reconciler last saw the provider view of this row change (refund_checks.checked_at: its last check)';

-- Room on each page for a new version of every row on it: a refund's first
-- check, which writes its observed status, reference and window, makes the row
-- about a quarter longer, and the refunds of one page are checked in the same
-- batch (they are due in the order they were recorded). Rows already stored
-- keep their pages as they are until they move or the table is rewritten
-- (VACUUM FULL).
ALTER TABLE refunds SET (fillfactor = 45);

-- The timeline's foreign key to refunds is replaced by what it guarded, at
-- no cost per row. Its rows are inserted only by the reconciler, from the
-- RETURNING of the UPDATE of their refund in the same statement
-- (workers/reconciler/recon_store.c, write_checks), so the refund exists,
-- updated and locked by that very transaction, when its row is written. The
-- other half of the key, refusing to delete a refund that has a timeline, is
-- the trigger below: refunds_app may not DELETE refunds and no code does, so
-- it fires only for an owner's hand-made DELETE, which it refuses as the key
-- did. The key's check (an SPI query and a KEY SHARE lock, a second write of
-- the refund row just updated) ran for every timeline row of every check,
-- about 7 us each (docs/performance.md, "Reconciliation").
ALTER TABLE provider_observations DROP CONSTRAINT provider_observations_refund_id_fkey;

CREATE FUNCTION refund_keep_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM provider_observations WHERE refund_id = OLD.id) THEN
    RAISE foreign_key_violation USING MESSAGE = format(
      'refund %s has rows in provider_observations (its timeline): delete those first', OLD.id);
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER refunds_keep_timeline BEFORE DELETE ON refunds
  FOR EACH ROW EXECUTE FUNCTION refund_keep_timeline();

GRANT SELECT, INSERT, UPDATE ON refund_checks TO refunds_app;
