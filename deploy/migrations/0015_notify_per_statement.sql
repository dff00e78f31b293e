-- The case parts of migration 0009 (refunds, findings, follow-up tasks) are
-- announced once per statement, not once per row, and outside a deferring
-- transaction (migration 0012) with many case ids per notification.
--
-- The reconciler writes a batch of 2,000 refunds in one UPDATE of refunds and
-- opens their findings and follow-up tasks in one INSERT each. With row
-- triggers every row made two PL/pgSQL calls (the trigger, then
-- refunds_announce) and a NOTIFY of its own, which PostgreSQL queues at the
-- commit one by one: 17 to 20 ms of a batch's 60 to 70 ms statement, 8 to 10 us
-- per refund checked (docs/performance.md, "Reconciliation"). Now each
-- statement's transition table gives the distinct case ids at once, and
-- refunds_announce_all sends them in notifications of up to 200 ids, comma
-- separated (7,399 bytes, under NOTIFY's 8,000-byte payload limit). refundsd's
-- cache listener takes a payload as a list of ids (a single id is a list of
-- one), so that nothing else changes for it. In a deferring transaction
-- (refundsd's own) the ids go to refunds_announce one by one, as before.
--
-- A refund is still announced only when something the trace shows changed,
-- the same columns as migration 0009's WHEN clause; findings and follow-up
-- tasks on every insert and update, as before. Orphan findings have no case.

CREATE FUNCTION refunds_announce_all(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  IF current_setting('refunds.defer_notify', true) IS DISTINCT FROM 'on' THEN
    PERFORM pg_notify('refunds_cases', string_agg(u.id::text, ',' ORDER BY u.n))
      FROM unnest(ids) WITH ORDINALITY AS u(id, n) GROUP BY (u.n - 1) / 200;
  ELSE
    PERFORM refunds_announce(u.id) FROM unnest(ids) AS u(id);
  END IF;
END $$;

CREATE FUNCTION refunds_notify_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refunds_announce_all(array(
    SELECT DISTINCT n.case_id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.observed_status, o.reference, o.reference_type, o.reference_status,
           o.card_refund_type, o.pending_reason, o.failure_reason, o.succeeded_at,
           o.window_from, o.window_to, o.received_at)
      IS DISTINCT FROM (n.observed_status, n.reference, n.reference_type, n.reference_status,
           n.card_refund_type, n.pending_reason, n.failure_reason, n.succeeded_at,
           n.window_from, n.window_to, n.received_at)));
  RETURN NULL;
END $$;

-- For findings and follow_ups: every row of the statement, by its case.
CREATE FUNCTION case_parts_notify_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refunds_announce_all(array(
    SELECT DISTINCT case_id FROM new_rows WHERE case_id IS NOT NULL));
  RETURN NULL;
END $$;

DROP TRIGGER refunds_notify_change ON refunds;
DROP TRIGGER findings_notify_change ON findings;
DROP TRIGGER follow_ups_notify_change ON follow_ups;
DROP FUNCTION case_part_notify_change();

-- A trigger with transition tables has one event: INSERT and UPDATE apart.
CREATE TRIGGER refunds_notify_change AFTER UPDATE ON refunds
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION refunds_notify_changes();
-- findings and follow_ups: findings_notify_insert, findings_notify_update, ...
DO $$
DECLARE
  t text;
  e text;
BEGIN
  FOREACH t IN ARRAY ARRAY['findings', 'follow_ups'] LOOP
    FOREACH e IN ARRAY ARRAY['insert', 'update'] LOOP
      EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING NEW TABLE AS new_rows'
                     ' FOR EACH STATEMENT EXECUTE FUNCTION case_parts_notify_changes()',
                     t || '_notify_' || e, upper(e), t);
    END LOOP;
  END LOOP;
END $$;
