-- ListCases is newest first by create time, then id: ids (UUIDv7) of one
-- refundsd increase with time, but replicas make ids in parallel, and the
-- order the API documents is the create_time it returns. The list indexes
-- follow that order, so that every filter is still one index range scan.
CREATE INDEX cases_by_created ON cases (created_at DESC, id DESC);
CREATE INDEX cases_by_state_created ON cases (state, created_at DESC, id DESC);
CREATE INDEX cases_by_customer_email_created ON cases (customer_email, created_at DESC, id DESC);
CREATE INDEX cases_by_assignee_created ON cases (assignee, created_at DESC, id DESC);
DROP INDEX cases_by_state;
DROP INDEX cases_by_customer_email;
DROP INDEX cases_by_assignee;
