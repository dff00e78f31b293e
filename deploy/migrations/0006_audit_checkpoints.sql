-- Audit checkpoints (docs/audit.md): every REFUNDS_AUDIT_CHECKPOINT_INTERVAL_S
-- a refundsd records the chain heads of the cases whose chain moved since the
-- previous checkpoint, hashes them, chains the checkpoint to the previous one
-- and signs it with the server's key. A case removed whole, with all its
-- events, is then still named by the checkpoints; VerifyAuditChain checks them.
--
-- Incremental: a checkpoint stores only the heads that changed, so storage
-- grows with the number of changes, not with cases times checkpoints. Both
-- tables are append-only, like audit_events.

-- The last seq of the case's chain that a checkpoint recorded: the case needs
-- one while it differs from audit_seq. The partial index holds just those.
ALTER TABLE cases ADD COLUMN audit_checkpointed_seq integer NOT NULL DEFAULT 0;
CREATE INDEX cases_audit_unchecked ON cases (id) WHERE audit_seq <> audit_checkpointed_seq;
-- VerifyAuditChain pages the cases changed in a time range in this order.
CREATE INDEX cases_by_updated ON cases (updated_at, id);

CREATE TABLE audit_checkpoints (
  -- 1, 2, 3 ... without gaps, so a checkpoint removed from the middle shows;
  -- assigned as the previous id plus one, so two replicas taking one at the
  -- same moment collide here and one of them gives up.
  id         bigint PRIMARY KEY CHECK (id > 0),
  taken_at   timestamptz NOT NULL,
  n_heads    integer NOT NULL CHECK (n_heads >= 0),
  -- hash = SHA-256 over id, taken_at, n_heads, prev_hash and heads_hash;
  -- signature = HMAC-SHA256(key derived for "audit-checkpoint", hash).
  prev_hash  bytea NOT NULL CHECK (length(prev_hash) = 32),
  heads_hash bytea NOT NULL CHECK (length(heads_hash) = 32),
  hash       bytea NOT NULL CHECK (length(hash) = 32),
  signature  bytea NOT NULL CHECK (length(signature) = 32)
);
CREATE INDEX audit_checkpoints_by_time ON audit_checkpoints (taken_at, id);

CREATE TABLE audit_checkpoint_heads (
  checkpoint_id bigint NOT NULL REFERENCES audit_checkpoints (id),
  -- No reference to cases: a head outlives its case, which is the point.
  case_id       uuid NOT NULL,
  seq           integer NOT NULL CHECK (seq > 0),
  head          bytea NOT NULL CHECK (length(head) = 32),
  PRIMARY KEY (checkpoint_id, case_id)
);
CREATE INDEX audit_checkpoint_heads_by_case ON audit_checkpoint_heads (case_id, checkpoint_id);

CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoint_heads_no_update BEFORE UPDATE OR DELETE ON audit_checkpoint_heads
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoint_heads_no_truncate BEFORE TRUNCATE ON audit_checkpoint_heads
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();

GRANT SELECT, INSERT ON audit_checkpoints, audit_checkpoint_heads TO refunds_app;
