-- TRUNCATE of refunds, the half of provider_observations' old foreign key
-- that migration 0010's refunds_keep_timeline (a row trigger, BEFORE DELETE)
-- does not cover: TRUNCATE fires no row trigger, and since the key is gone
-- `TRUNCATE refunds CASCADE` (refund_checks and findings reference refunds)
-- would leave every timeline row naming a refund that no longer exists,
-- where the key used to refuse it. refunds_app may not TRUNCATE; this is for
-- an owner's hand. The timelines go first, on purpose.
CREATE FUNCTION refunds_keep_timelines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM provider_observations) THEN
    RAISE foreign_key_violation USING MESSAGE =
      'refunds cannot be truncated while provider_observations (their timelines) has rows: truncate provider_observations first';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER refunds_keep_timelines BEFORE TRUNCATE ON refunds
  FOR EACH STATEMENT EXECUTE FUNCTION refunds_keep_timelines();
