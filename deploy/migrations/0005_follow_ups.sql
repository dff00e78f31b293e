-- Follow-up tasks, and the resolution of findings.
--
-- The reconciler opens a task once per finding that needs someone to act
-- (contact the customer first, or finance reviews our books), assigned to the
-- case's agent or to "finance"; when the finding closes by itself its open
-- task is cancelled with the reason. Agents and finance list what is due and
-- complete it (refundsd). The communication issue adds satisfaction
-- follow-ups to the same table: kind is open-ended text.

CREATE TABLE follow_ups (
  id          uuid PRIMARY KEY,
  case_id     uuid REFERENCES cases (id),
  -- Once per finding: a finding never gets a second task.
  finding_id  uuid UNIQUE REFERENCES findings (id),
  kind        text NOT NULL,
  reason      text NOT NULL,
  due_at      timestamptz NOT NULL,
  assignee    text NOT NULL,
  state       text NOT NULL CHECK (state IN ('OPEN', 'DONE', 'CANCELLED')),
  outcome     text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  closed_at   timestamptz,
  closed_by   text,
  CHECK ((state = 'OPEN') = (closed_at IS NULL))
);
-- What is due, per assignee, overdue first.
CREATE INDEX follow_ups_due ON follow_ups (assignee, due_at, id) WHERE state = 'OPEN';
CREATE INDEX follow_ups_by_case ON follow_ups (case_id, created_at);

ALTER TABLE findings
  ADD COLUMN resolution      text,
  ADD COLUMN resolution_note text NOT NULL DEFAULT '',
  ADD COLUMN resolved_by     text,
  ADD COLUMN resolved_at     timestamptz,
  ADD CHECK ((state = 'RESOLVED') = (resolution IS NOT NULL));

GRANT SELECT, INSERT, UPDATE ON follow_ups TO refunds_app;

-- How the customer knows the card or account they paid with (Payment.label).
ALTER TABLE cases ADD COLUMN payment_label text NOT NULL DEFAULT '';
