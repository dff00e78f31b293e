-- Case changes are announced after the writing transaction's COMMIT, not in
-- it, for the sessions that ask for it: PostgreSQL serialises the commits of
-- transactions that sent a NOTIFY (a lock taken before the commit record and
-- held until after its flush), so with the NOTIFY inside every case change
-- one commit waited for another's fsync and none group-committed
-- (docs/performance.md, "Evaluation and policy report").
--
-- refunds_announce(case_id) is what the triggers of migrations 0002 and 0009
-- now call. In a transaction that set refunds.defer_notify to 'on' (refundsd
-- does, with SET LOCAL at BEGIN: services/common/db.c) it appends the id to
-- the transaction-local setting refunds.announce, once per id, and refundsd
-- reads that list before its COMMIT and sends the NOTIFYs right after it in a
-- transaction of their own with synchronous_commit off. Past 1,000 ids (37 KB
-- of text) the rest are notified at once, as before, so that a
-- bulk change cannot grow the setting without bound and nothing is lost.
-- Every other session — the reconciler, psql, any other writer — keeps the
-- NOTIFY inside its transaction, delivered at its commit.
CREATE FUNCTION refunds_announce(case_id uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  id text := case_id::text;
  pending text;
BEGIN
  IF current_setting('refunds.defer_notify', true) IS DISTINCT FROM 'on' THEN
    PERFORM pg_notify('refunds_cases', id);
    RETURN;
  END IF;
  -- Unset, or reset to '' at the end of an earlier transaction of the session.
  pending := coalesce(current_setting('refunds.announce', true), '');
  IF pending = '' THEN
    PERFORM set_config('refunds.announce', id, true);
  ELSIF strpos(pending, id) > 0 THEN
    RETURN;
  ELSIF length(pending) >= 1000 * 37 - 1 THEN  -- 1,000 ids of 36 characters and their commas
    PERFORM pg_notify('refunds_cases', id);
  ELSE
    PERFORM set_config('refunds.announce', pending || ',' || id, true);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION cases_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refunds_announce(NEW.id);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION case_part_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.case_id IS NOT NULL THEN
    PERFORM refunds_announce(NEW.case_id);
  END IF;
  RETURN NULL;
END $$;
