-- A refund checked before its provider's data about it arrived is checked
-- again when that data arrives, not an hour later.
--
-- A check that finds no record of the refund in the provider cache
-- (NOT_FOUND) or no current data of its provider at all (UNKNOWN) schedules
-- the next one an hour (REFUNDS_RECON_RECHECK_PENDING_SECONDS) or fifteen
-- minutes (..._UNKNOWN_SECONDS) later. When the payments system records a
-- refund and the reconciler checks it before the provider's next file is
-- loaded, the customer's agent saw "not found" for that long after the file
-- with the refund's record was in Redis. Now such a check marks its refund as
-- awaiting its provider's data, and a reconciler pass that sees a provider's
-- snapshot loaded since its last pass makes those of its awaiting refunds due
-- that were checked before the load (workers/reconciler/pass.c, wake).
--
-- The column holds the refund's provider while it awaits, so that a wake
-- reads one range of its partial index, in refund order, chunk after chunk.
-- Only refunds awaiting data are in that index, a handful in the steady
-- state, so the steady state's check writes no entry into it.
ALTER TABLE refund_checks ADD COLUMN awaiting text;
COMMENT ON COLUMN refund_checks.awaiting IS
  'the provider, when the last check found no record of the refund (NOT_FOUND) or no current data of that provider (UNKNOWN); else NULL';

UPDATE refund_checks k SET awaiting = r.provider FROM refunds r
  WHERE r.id = k.refund_id AND r.observed_status IN ('NOT_FOUND', 'UNKNOWN')
    AND k.next_check_at IS NOT NULL;

CREATE INDEX refund_checks_awaiting ON refund_checks (awaiting, refund_id)
  WHERE awaiting IS NOT NULL;

-- How many refunds each pass woke so, shown with its run (GetRun, refundctl run).
ALTER TABLE reconciliation_runs ADD COLUMN refunds_woken bigint NOT NULL DEFAULT 0;
