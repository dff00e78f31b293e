-- Following the money: the refunds the payments system issued for a case, what
-- the provider said of each over time, the reconciler's findings and runs, and
-- the follow-up tasks findings create (docs/reconciliation.md).
--
-- refundsd writes refunds (RecordRefundIssued, ConfirmRefundReceived);
-- refunds-reconciler, logged in as a member of refunds_app too, checks them,
-- writes what it observed, the findings and the runs.

-- What the case's refunds in its own currency come to, kept by RecordRefundIssued:
-- the reconciler compares it with the approved amount (DUPLICATE_REFUND).
ALTER TABLE cases ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0;

CREATE TABLE refunds (
  id                  uuid PRIMARY KEY,
  case_id             uuid NOT NULL REFERENCES cases (id),
  provider            text NOT NULL,
  provider_refund_id  text NOT NULL,
  provider_payment_id text NOT NULL DEFAULT '',
  amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
  currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  payment_method      text NOT NULL,  -- the case's, as the arrival windows name it: card, paypal...
  -- The case's books when it was recorded (an approval does not change later).
  case_currency       text NOT NULL,
  approved_minor      bigint NOT NULL,
  issued_at           timestamptz NOT NULL,
  recorded_at         timestamptz NOT NULL,
  recorded_by         text NOT NULL,
  -- Marked at record time for the reconciler, never refused: it happened.
  exceeds_approved    boolean NOT NULL,
  currency_differs    boolean NOT NULL,
  -- What the reconciler saw last (NOT_CHECKED until its first look).
  observed_status     text NOT NULL DEFAULT 'NOT_CHECKED',
  observed_at         timestamptz,
  provider_updated_at timestamptz,
  succeeded_at        timestamptz,
  pending_reason      text NOT NULL DEFAULT '',
  failure_reason      text NOT NULL DEFAULT '',
  reference           text NOT NULL DEFAULT '',
  reference_type      text NOT NULL DEFAULT '',
  reference_status    text NOT NULL DEFAULT '',
  card_refund_type    text NOT NULL DEFAULT '',
  window_from         timestamptz,
  window_to           timestamptz,
  -- The customer (or an agent for them) says the money arrived.
  received_at         timestamptz,
  received_by         text,
  received_note       text NOT NULL DEFAULT '',
  -- When the reconciler looks next; NULL: never again (the money arrived).
  next_check_at       timestamptz,
  checks              integer NOT NULL DEFAULT 0,
  observations        integer NOT NULL DEFAULT 0,  -- rows in provider_observations
  UNIQUE (provider, provider_refund_id)
);
-- The reconciler claims the refunds due, oldest first.
CREATE INDEX refunds_due ON refunds (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX refunds_by_case ON refunds (case_id, recorded_at);

-- Each provider status of a refund, with when the reconciler first saw it: the
-- money's timeline (pending -> succeeded -> ...).
CREATE TABLE provider_observations (
  refund_id           uuid NOT NULL REFERENCES refunds (id),
  seq                 integer NOT NULL CHECK (seq > 0),
  status              text NOT NULL,
  first_seen_at       timestamptz NOT NULL,
  provider_updated_at timestamptz,
  reference           text NOT NULL DEFAULT '',
  run_id              uuid NOT NULL,
  PRIMARY KEY (refund_id, seq)
);

CREATE TABLE reconciliation_runs (
  id                 uuid PRIMARY KEY,
  worker             text NOT NULL,
  state              text NOT NULL CHECK (state IN ('RUNNING', 'FINISHED', 'ABANDONED')),
  started_at         timestamptz NOT NULL,
  finished_at        timestamptz,
  heartbeat_at       timestamptz NOT NULL,
  -- Due refunds up to this time belong to the pass.
  due_before         timestamptz NOT NULL,
  lag_seconds        bigint NOT NULL,
  refunds_checked    bigint NOT NULL DEFAULT 0,
  unknown            bigint NOT NULL DEFAULT 0,
  batches            bigint NOT NULL DEFAULT 0,
  provider_scanned   bigint NOT NULL DEFAULT 0,
  orphans            bigint NOT NULL DEFAULT 0,
  busy_seconds       double precision NOT NULL DEFAULT 0
);
CREATE INDEX reconciliation_runs_newest ON reconciliation_runs (started_at DESC, id DESC);

-- Findings opened and closed by kind, refunds and amounts per currency: added
-- to by each batch in its own transaction, so a crash loses nothing counted.
CREATE TABLE run_kind_counts (
  run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
  kind   text NOT NULL,
  opened bigint NOT NULL DEFAULT 0,
  closed bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, kind)
);
CREATE TABLE run_currency_totals (
  run_id       uuid NOT NULL REFERENCES reconciliation_runs (id),
  currency     text NOT NULL,
  refunds      bigint NOT NULL DEFAULT 0,
  amount_minor bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, currency)
);

CREATE TABLE findings (
  id                  uuid PRIMARY KEY,
  kind                text NOT NULL CHECK (kind IN ('NOT_FOUND_AT_PROVIDER', 'FAILED', 'REVERSED',
                        'STUCK_PENDING', 'REQUIRES_CUSTOMER_ACTION', 'NOT_CLEARED', 'AMOUNT_MISMATCH',
                        'CURRENCY_MISMATCH', 'DUPLICATE_REFUND', 'ORPHAN_AT_PROVIDER',
                        'NO_TRACE_REFERENCE', 'OVERDUE_AT_CUSTOMER')),
  state               text NOT NULL CHECK (state IN ('OPEN', 'CLOSED', 'RESOLVED')),
  -- NULL for a provider refund we never issued (ORPHAN_AT_PROVIDER).
  refund_id           uuid REFERENCES refunds (id),
  case_id             uuid REFERENCES cases (id),
  provider            text NOT NULL,
  provider_refund_id  text NOT NULL,
  amount_minor        bigint NOT NULL,
  currency            text NOT NULL,
  reference           text NOT NULL DEFAULT '',
  -- [[key, value], ...] in the order the classifier gave them.
  evidence            jsonb NOT NULL,
  action              text NOT NULL,
  audience            text NOT NULL CHECK (audience IN ('NONE', 'CUSTOMER_AGENT', 'FINANCE')),
  -- The provider record's updated_at when last seen: a resolved finding is not
  -- reopened unless the provider's record changes again.
  provider_updated_at timestamptz,
  opened_at           timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  closed_at           timestamptz,
  close_reason        text NOT NULL DEFAULT '',
  opened_run          uuid NOT NULL,
  closed_run          uuid,
  CHECK ((state = 'OPEN') = (closed_at IS NULL))
);
-- At most one open finding per refund (provider and id) and kind: a second pass changes nothing.
CREATE UNIQUE INDEX findings_one_open ON findings (provider, provider_refund_id, kind)
  WHERE state = 'OPEN';
CREATE INDEX findings_by_refund ON findings (provider, provider_refund_id, kind, opened_at DESC);
CREATE INDEX findings_newest ON findings (opened_at DESC, id DESC);
CREATE INDEX findings_by_case ON findings (case_id, opened_at DESC, id DESC);

GRANT SELECT, INSERT, UPDATE ON refunds, provider_observations, reconciliation_runs,
  run_kind_counts, run_currency_totals, findings TO refunds_app;
