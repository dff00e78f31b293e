-- The guidelines and the evaluation of each case against them, the approval
-- tiers and the SLA clock, and what the policy report reads
-- (docs/policy.md, docs/api.md).
--
-- policies: one row per version, never edited (a trigger refuses UPDATE,
-- DELETE and TRUNCATE even to the owner, like audit_events); version 1 is the
-- default of deploy/policy/default.json, embedded here at build time.
-- evaluations: every evaluation of a case, kept (also append-only); the case
-- holds the number of its latest and what the approvals and the report need
-- of it. The report groups the cases of a time range in one pass over the
-- cases_by_created index (0003), so what it counts lives on the case row:
-- the outcome, the decision time, the SLA breach, the approved amount.

CREATE TABLE policies (
  version    bigint PRIMARY KEY CHECK (version > 0),
  -- The canonical document (rf_policy_canonical_json); parsed strictly before it is stored.
  document   jsonb NOT NULL,
  author     text NOT NULL,
  created_at timestamptz NOT NULL,
  note       text NOT NULL
);
CREATE TRIGGER policies_no_update BEFORE UPDATE OR DELETE ON policies
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER policies_no_truncate BEFORE TRUNCATE ON policies
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();

INSERT INTO policies (version, document, author, created_at, note)
VALUES (1, @DOLLAR_QUOTED(deploy/policy/default.json)@::jsonb, 'refundsd migrate', now(),
        'The default guidelines (deploy/policy/default.json); docs/policy.md gives the reasoning for every value.');

CREATE TABLE evaluations (
  case_id              uuid NOT NULL REFERENCES cases (id),
  seq                  integer NOT NULL CHECK (seq > 0),
  policy_version       bigint NOT NULL REFERENCES policies (version),
  evaluated_at         timestamptz NOT NULL,
  evaluated_by         text NOT NULL,
  recommendation       text NOT NULL CHECK (recommendation IN ('APPROVE', 'ESCALATE', 'DENY')),
  score                integer NOT NULL CHECK (score BETWEEN -100 AND 100),
  tier                 text NOT NULL CHECK (tier IN ('AGENT', 'APPROVER', 'SENIOR_APPROVER')),
  priority             text NOT NULL CHECK (priority IN ('HIGH', 'NORMAL', 'LOW')),
  days_past_window     integer NOT NULL CHECK (days_past_window >= 0),
  amount_outside_minor bigint NOT NULL,
  currency             text NOT NULL,
  -- The engine's result (rf_evaluation_json): factors, sentences, every figure.
  result               jsonb NOT NULL,
  -- The customer's history as the engine was given it.
  history              jsonb NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER evaluations_no_update BEFORE UPDATE OR DELETE ON evaluations
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER evaluations_no_truncate BEFORE TRUNCATE ON evaluations
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();

-- The case: its customer id (Customer.id), its latest evaluation, the tier its
-- decision needs (the evaluation's, or the escalation's), and its outcome.
ALTER TABLE cases
  ADD COLUMN customer_id      text CHECK (customer_id <> ''),
  ADD COLUMN evaluation_count integer NOT NULL DEFAULT 0 CHECK (evaluation_count BETWEEN 0 AND 100),
  ADD COLUMN policy_version   bigint REFERENCES policies (version),
  ADD COLUMN recommendation   text CHECK (recommendation IN ('APPROVE', 'ESCALATE', 'DENY')),
  ADD COLUMN tier             text CHECK (tier IN ('AGENT', 'APPROVER', 'SENIOR_APPROVER')),
  ADD COLUMN priority         text CHECK (priority IN ('HIGH', 'NORMAL', 'LOW')),
  ADD COLUMN outcome          text CHECK (outcome IN ('APPROVED_FULL', 'APPROVED_PARTIAL', 'DENIED',
                                'ALTERNATIVE_OFFERED', 'WITHDRAWN')),
  ADD COLUMN decided_at       timestamptz,
  ADD COLUMN approved_minor   bigint CHECK (approved_minor > 0),
  -- The decision came after its due time; NULL without a due time (self-approved, withdrawn).
  ADD COLUMN sla_breached     boolean;
-- The customer's earlier cases by id (by e-mail: cases_by_customer_email_created).
CREATE INDEX cases_by_customer_id_created ON cases (customer_id, created_at DESC, id DESC)
  WHERE customer_id IS NOT NULL;

-- The approval: the tier and priority it needs, the policy whose SLA set its
-- due time, the agent's own approval (no escalation, no due time), the breach
-- recorded at the decision, and the alternative offered instead of a refund
-- (store credit of an amount, or an exchange for a SKU): the decision message
-- states it, and AcceptAlternative (0008) records that the customer took it.
ALTER TABLE approvals
  ALTER COLUMN escalated_by DROP NOT NULL,
  ALTER COLUMN escalated_at DROP NOT NULL,
  ALTER COLUMN due_at DROP NOT NULL,
  DROP CONSTRAINT approvals_decision_check,
  ADD CHECK (decision IN ('APPROVE', 'DENY', 'OFFER_ALTERNATIVE')),
  ADD COLUMN tier                          text CHECK (tier IN ('AGENT', 'APPROVER', 'SENIOR_APPROVER')),
  ADD COLUMN priority                      text CHECK (priority IN ('HIGH', 'NORMAL', 'LOW')),
  ADD COLUMN policy_version                bigint REFERENCES policies (version),
  ADD COLUMN self_approved                 boolean NOT NULL DEFAULT false,
  ADD COLUMN sla_breached                  boolean,
  ADD COLUMN alternative_offer_kind        text CHECK (alternative_offer_kind IN ('STORE_CREDIT', 'EXCHANGE')),
  ADD COLUMN alternative_offer_minor       bigint CHECK (alternative_offer_minor > 0),
  ADD COLUMN alternative_offer_currency    text,
  ADD COLUMN alternative_offer_sku         text,
  ADD CHECK (self_approved = (escalated_at IS NULL)),
  ADD CHECK ((escalated_at IS NULL) = (escalated_by IS NULL) AND (escalated_at IS NULL) = (due_at IS NULL)),
  ADD CHECK (NOT self_approved OR (decision = 'APPROVE' AND tier = 'AGENT')),
  ADD CHECK ((decision = 'OFFER_ALTERNATIVE') = (alternative_offer_kind IS NOT NULL)),
  ADD CHECK ((alternative_offer_kind = 'STORE_CREDIT') = (alternative_offer_minor IS NOT NULL)),
  ADD CHECK ((alternative_offer_kind = 'EXCHANGE') = (alternative_offer_sku IS NOT NULL));

-- What was decided before this migration, as the decisions from now on record it:
-- approvers' tier, normal priority, the default policy's version.
UPDATE approvals SET tier = 'APPROVER', priority = 'NORMAL', policy_version = 1,
  sla_breached = CASE WHEN state = 'DECIDED' THEN decided_at > due_at END;
ALTER TABLE approvals ALTER COLUMN tier SET NOT NULL, ALTER COLUMN priority SET NOT NULL,
  ALTER COLUMN policy_version SET NOT NULL;
UPDATE cases c SET tier = 'APPROVER', decided_at = a.decided_at, approved_minor = a.approved_minor,
  sla_breached = a.sla_breached,
  outcome = CASE WHEN a.decision = 'DENY' THEN 'DENIED'
                 WHEN a.approved_minor < c.requested_minor THEN 'APPROVED_PARTIAL'
                 ELSE 'APPROVED_FULL' END
  FROM approvals a WHERE a.case_id = c.id AND a.state = 'DECIDED';
UPDATE cases c SET tier = 'APPROVER'
  FROM approvals a WHERE a.case_id = c.id AND a.state = 'PENDING';
UPDATE cases SET outcome = 'WITHDRAWN' WHERE state = 'WITHDRAWN';

GRANT SELECT, INSERT ON policies, evaluations TO refunds_app;
