-- Every change of a case row is announced on the refunds_cases channel with
-- the case's id, after commit, to every refundsd that listens: that is how
-- each replica's case cache learns that what it holds is out of date
-- (services/refundsd/case_cache.h). Inserts need no notice: nothing can have
-- cached a case before it existed.
CREATE FUNCTION cases_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('refunds_cases', NEW.id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER cases_notify_change AFTER UPDATE ON cases
  FOR EACH ROW EXECUTE FUNCTION cases_notify_change();
