-- What GetRefundTrace shows of a case besides the case's own row — its
-- refunds as the provider sees them, its findings, its follow-up tasks — is
-- announced on the refunds_cases channel too (migration 0002), so that the
-- case cache, which also holds traces, drops a case's trace when any of them
-- changes (services/refundsd/case_cache.h). A refund is announced only when
-- something the trace shows changed: the reconciler updates every refund it
-- checks, and most checks change nothing of it.
CREATE FUNCTION case_part_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.case_id IS NOT NULL THEN
    PERFORM pg_notify('refunds_cases', NEW.case_id::text);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER findings_notify_change AFTER INSERT OR UPDATE ON findings
  FOR EACH ROW EXECUTE FUNCTION case_part_notify_change();
CREATE TRIGGER follow_ups_notify_change AFTER INSERT OR UPDATE ON follow_ups
  FOR EACH ROW EXECUTE FUNCTION case_part_notify_change();
CREATE TRIGGER refunds_notify_change AFTER UPDATE ON refunds
  FOR EACH ROW WHEN (OLD.observed_status IS DISTINCT FROM NEW.observed_status
    OR OLD.reference IS DISTINCT FROM NEW.reference
    OR OLD.reference_type IS DISTINCT FROM NEW.reference_type
    OR OLD.reference_status IS DISTINCT FROM NEW.reference_status
    OR OLD.card_refund_type IS DISTINCT FROM NEW.card_refund_type
    OR OLD.pending_reason IS DISTINCT FROM NEW.pending_reason
    OR OLD.failure_reason IS DISTINCT FROM NEW.failure_reason
    OR OLD.succeeded_at IS DISTINCT FROM NEW.succeeded_at
    OR OLD.window_from IS DISTINCT FROM NEW.window_from
    OR OLD.window_to IS DISTINCT FROM NEW.window_to
    OR OLD.received_at IS DISTINCT FROM NEW.received_at)
  EXECUTE FUNCTION case_part_notify_change();
