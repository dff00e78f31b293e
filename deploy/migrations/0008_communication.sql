-- Telling the customer the decision, and what they thought of it.
--
-- communications is the outbox: every decision message RecordCommunication
-- rendered (channel, recipient, subject, body, language, template and its
-- version, so that what a customer received can be reproduced), with its
-- delivery status as the delivery system reports it (MarkCommunicationSent).
-- A denial's message also records the alternatives it offered, with their
-- amounts and the last day to accept one: AcceptAlternative holds the
-- customer to what they were told, not to what the settings say later.
-- Every change of a row changes its case in the same statement (version,
-- audit event), because Case.communications shows them.
--
-- follow_ups gains the customer's answer to "how likely are you to recommend
-- us" (NPS, 0-10) and their comment; kinds stay open-ended text
-- (SATISFACTION, SUPERVISOR_REVIEW, DELIVERY_FAILED join CONTACT_CUSTOMER and
-- FINANCE_REVIEW).

CREATE TABLE communications (
  id                       uuid PRIMARY KEY,
  case_id                  uuid NOT NULL REFERENCES cases (id),
  -- 1, 2, 3 ... per case: the n of cases/{case}/communications/{n}.
  seq                      integer NOT NULL CHECK (seq > 0),
  channel                  text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PHONE_SCRIPT', 'LETTER')),
  recipient                text NOT NULL,
  subject                  text NOT NULL,
  body                     text NOT NULL,
  html_body                text NOT NULL DEFAULT '',
  language                 text NOT NULL,
  situation                text NOT NULL,
  template_version         integer NOT NULL CHECK (template_version > 0),
  status                   text NOT NULL CHECK (status IN ('QUEUED', 'SENT', 'FAILED')),
  failure_reason           text NOT NULL DEFAULT '',
  provider_message_id      text NOT NULL DEFAULT '',
  -- A denial's offers, each set when offered (NULL when not): store credit
  -- and a voucher in the case's currency, the product of an exchange or a
  -- repair, and the last day to accept any of them.
  store_credit_minor       bigint,
  store_credit_valid_until timestamptz,
  exchange_product         text,
  repair_product           text,
  voucher_minor            bigint,
  offer_valid_until        timestamptz,
  created_at               timestamptz NOT NULL,
  created_by               text NOT NULL,
  status_at                timestamptz,
  status_by                text,
  UNIQUE (case_id, seq),
  CHECK ((status = 'FAILED') = (failure_reason <> '')),
  CHECK ((status = 'QUEUED') = (status_at IS NULL)),
  CHECK ((offer_valid_until IS NULL) = (store_credit_minor IS NULL AND exchange_product IS NULL
                                        AND repair_product IS NULL AND voucher_minor IS NULL))
);
-- The delivery system's queue (ListOutbox): by status, oldest first.
CREATE INDEX communications_outbox ON communications (status, created_at, id);

-- The seq of the case's latest message, moved on with the insert.
ALTER TABLE cases ADD COLUMN communication_count integer NOT NULL DEFAULT 0;

-- The alternative a denied customer took (AcceptAlternative): one per case.
CREATE TABLE accepted_alternatives (
  case_id          uuid PRIMARY KEY REFERENCES cases (id),
  communication_id uuid NOT NULL REFERENCES communications (id),
  alternative      text NOT NULL,
  amount_minor     bigint,
  product          text,
  spend_until      timestamptz,
  accepted_at      timestamptz NOT NULL,
  accepted_by      text NOT NULL,
  note             text NOT NULL DEFAULT ''
);

ALTER TABLE follow_ups
  ADD COLUMN score   smallint CHECK (score BETWEEN 0 AND 10),
  ADD COLUMN comment text NOT NULL DEFAULT '',
  ADD CHECK (score IS NULL OR state = 'DONE');
-- Answers by the time they were recorded, for the NPS report.
CREATE INDEX follow_ups_answers ON follow_ups (closed_at) WHERE score IS NOT NULL;
-- "Is anything still open on this case?" when a follow-up is completed.
CREATE INDEX follow_ups_open_by_case ON follow_ups (case_id) WHERE state = 'OPEN';

GRANT SELECT, INSERT, UPDATE ON communications TO refunds_app;
GRANT SELECT, INSERT ON accepted_alternatives TO refunds_app;
