-- The case lifecycle: cases, their interactions and approvals, idempotency
-- keys and the per-case hash-chained audit trail.
--
-- Run by `refundsd migrate` as the schema owner, in one transaction. The
-- service connects as a member of the group role refunds_app, which gets only
-- the privileges granted at the end: in particular audit_events is
-- append-only for it (SELECT and INSERT, no UPDATE, DELETE or TRUNCATE), and a
-- trigger refuses changes to it even for the owner.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'refunds_app') THEN
    RAISE EXCEPTION 'role refunds_app does not exist: create it (NOLOGIN) and make the service''s login role a member';
  END IF;
END $$;

CREATE TABLE cases (
  id                  uuid PRIMARY KEY,
  state               text NOT NULL CHECK (state IN ('OPEN', 'EVALUATED', 'PENDING_APPROVAL',
                        'APPROVED', 'DENIED', 'DECISION_COMMUNICATED', 'REFUND_IN_PROGRESS',
                        'AWAITING_FOLLOW_UP', 'CLOSED', 'WITHDRAWN')),
  version             bigint NOT NULL CHECK (version > 0),
  channel             text NOT NULL,
  acknowledged_at     timestamptz NOT NULL,
  customer_name       text NOT NULL,
  customer_email      text NOT NULL,
  customer_phone      text NOT NULL DEFAULT '',
  customer_language   text NOT NULL,
  order_id            text NOT NULL,
  product_sku         text NOT NULL,
  product_name        text NOT NULL,
  product_category    text NOT NULL,
  purchased_at        timestamptz NOT NULL,
  currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_paid_minor   bigint NOT NULL CHECK (amount_paid_minor > 0),
  requested_minor     bigint NOT NULL CHECK (requested_minor > 0 AND requested_minor <= amount_paid_minor),
  payment_method      text NOT NULL,
  payment_provider    text NOT NULL DEFAULT '',
  provider_payment_id text NOT NULL DEFAULT '',
  reason_code         text NOT NULL,
  reason_text         text NOT NULL DEFAULT '',
  opened_by           text NOT NULL,
  assignee            text NOT NULL,
  evaluated_by        text,
  escalated_by        text,
  withdraw_reason     text NOT NULL DEFAULT '',
  interaction_count   integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  -- Head of this case's audit chain: the number and hash of its last event.
  audit_seq           integer NOT NULL,
  audit_head          bytea NOT NULL CHECK (length(audit_head) = 32)
);
CREATE INDEX cases_by_state ON cases (state, id DESC);
CREATE INDEX cases_by_customer_email ON cases (customer_email, id DESC);
CREATE INDEX cases_by_assignee ON cases (assignee, id DESC);

CREATE TABLE interactions (
  case_id    uuid NOT NULL REFERENCES cases (id),
  seq        integer NOT NULL CHECK (seq > 0),
  kind       text NOT NULL,
  channel    text NOT NULL,
  summary    text NOT NULL,
  author     text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, seq)
);

CREATE TABLE approvals (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id         uuid NOT NULL REFERENCES cases (id),
  state           text NOT NULL CHECK (state IN ('PENDING', 'DECIDED', 'CANCELLED')),
  escalated_by    text NOT NULL,
  escalated_at    timestamptz NOT NULL,
  due_at          timestamptz NOT NULL,
  note            text NOT NULL DEFAULT '',
  decided_by      text,
  decided_at      timestamptz,
  decision        text CHECK (decision IN ('APPROVE', 'DENY')),
  approved_minor  bigint CHECK (approved_minor > 0),
  decision_reason text NOT NULL DEFAULT '',
  alternatives    text[] NOT NULL DEFAULT '{}',
  CHECK ((state = 'DECIDED') = (decision IS NOT NULL)),
  CHECK (decided_by IS NULL OR decided_by <> escalated_by)
);
-- One open approval per case.
CREATE UNIQUE INDEX approvals_one_pending ON approvals (case_id) WHERE state = 'PENDING';
CREATE INDEX approvals_queue ON approvals (due_at, case_id) WHERE state = 'PENDING';
CREATE INDEX approvals_by_case ON approvals (case_id, id DESC);

CREATE TABLE idempotency_keys (
  request_id   text PRIMARY KEY,
  method       text NOT NULL,
  -- SHA-256 of the caller, the method and the request's content.
  request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
  -- The packed reply; NULL only inside the transaction that claims the key.
  response     bytea,
  created_at   timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

CREATE TABLE audit_events (
  case_id     uuid NOT NULL REFERENCES cases (id),
  seq         integer NOT NULL CHECK (seq > 0),
  occurred_at timestamptz NOT NULL,
  actor       text NOT NULL,
  actor_role  text NOT NULL,
  method      text NOT NULL,
  old_state   text NOT NULL,
  new_state   text NOT NULL,
  request_id  text NOT NULL,
  -- hash = SHA-256(prev_hash || canonical event); docs/audit.md has the form.
  prev_hash   bytea NOT NULL CHECK (length(prev_hash) = 32),
  hash        bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (case_id, seq)
);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

GRANT SELECT, INSERT, UPDATE ON cases, interactions, approvals TO refunds_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO refunds_app;
GRANT SELECT, INSERT ON audit_events TO refunds_app;
-- The service checks the schema version before it reports SERVING.
GRANT SELECT ON schema_migrations TO refunds_app;
