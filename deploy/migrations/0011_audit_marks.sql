-- The checkpoint's marks (docs/audit.md, "Checkpoints") move out of the cases'
-- rows into a table of their own, so that taking a checkpoint never locks or
-- rewrites a case.
--
-- Migration 0006 kept the last checkpointed seq of each case in
-- cases.audit_checkpointed_seq, and the checkpoint locked the moved cases
-- (FOR UPDATE SKIP LOCKED) and updated them. A checkpoint of 1,000 heads then
-- held 1,000 case rows through its whole statement and commit, so every call
-- changing one of them waited (pg_stat_activity: Lock transactionid; the
-- busiest cases are in every checkpoint), each of those updates rewrote a
-- wide case row and announced it to every case cache (migration 0002)
-- although nothing a client sees had changed. EvaluateCase at 16 in flight ran
-- at 441 calls/s with the checkpoint put off, 180-319 with it at work on a
-- backlog (docs/performance.md).
--
-- Now a checkpoint reads the heads from its snapshot without locking (a case's
-- audit_seq and audit_head are one row, read together) and upserts its marks
-- here. A case that moves on after the read keeps audit_seq above its mark
-- and is recorded again by the next checkpoint, as before. No foreign key: its
-- check would lock the case row (KEY SHARE), and a mark of a case removed by
-- hand only makes the next checkpoints skip nothing.
CREATE TABLE audit_marks (
  case_id uuid PRIMARY KEY,
  seq     integer NOT NULL CHECK (seq >= 0)
);

INSERT INTO audit_marks (case_id, seq)
  SELECT id, audit_checkpointed_seq FROM cases WHERE audit_checkpointed_seq > 0;

DROP INDEX cases_audit_unchecked;
ALTER TABLE cases DROP COLUMN audit_checkpointed_seq;

GRANT SELECT, INSERT, UPDATE ON audit_marks TO refunds_app;
